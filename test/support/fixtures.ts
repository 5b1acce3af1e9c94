// Small builders for tests: organizations and users inserted as the system.
import type { Kysely } from 'kysely';
import { newId } from '../../src/core/ids.ts';
import type { Database } from '../../src/store/schema.ts';
import { asSystem } from '../../src/store/tenant.ts';

export async function createOrg(db: Kysely<Database>, name = 'Org'): Promise<string> {
  const id = newId('org');
  await asSystem(db, 'test fixture', (tx) => tx.insertInto('organizations').values({ id, name }).execute());
  return id;
}

export async function createUser(db: Kysely<Database>, email: string): Promise<string> {
  const id = newId('user');
  await asSystem(db, 'test fixture', (tx) => tx.insertInto('users').values({ id, email }).execute());
  return id;
}
