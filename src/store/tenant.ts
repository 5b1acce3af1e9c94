// Transactions scoped to one organization. Row-level security shows a statement only the rows of
// the organization its transaction set, so a forgotten WHERE clause cannot read another tenant.
// The organization always comes from the caller's AuthContext, never from request input.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { storeContextOf } from './store-context.ts';

export type Tx = Transaction<Database>;

export async function inTenant<T>(db: Kysely<Database>, organizationId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!organizationId) throw new TypeError('inTenant needs an organization id');
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('gatehouse.organization_id', ${organizationId}, true)`.execute(tx);
    return fn(tx);
  });
}

/**
 * A transaction that sees every tenant: for system work that is not on behalf of one tenant
 * (webhook intake, reconciliation, super-admin listings, audit verification of all chains).
 * Callers name why, so every bypass is greppable and reviewable.
 */
export async function asSystem<T>(db: Kysely<Database>, _reason: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // The bypass opens only with the store's secret key (see store-context.ts): a statement running
  // as the app role cannot switch it on by setting a value it can guess.
  const key = storeContextOf(db)?.systemKey;
  if (!key) throw new TypeError('asSystem needs a store opened by openStore on a migrated database');
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('gatehouse.rls_bypass', ${key}, true)`.execute(tx);
    return fn(tx);
  });
}
