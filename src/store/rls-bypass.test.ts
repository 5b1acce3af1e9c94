// The row-level-security bypass cannot be switched on by SQL running as the app role (the threat:
// an SQL injection lifting tenant isolation), system transactions still see every tenant, and a
// connection whose SET ROLE fails refuses to run the request instead of running it without RLS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createOrg } from '../../test/support/fixtures.ts';
import { requirePostgres } from '../../test/support/requirements.ts';
import { createTestDatabase, testEngines } from '../../test/support/stores.ts';
import { APP_ROLE } from './migrator.ts';
import { openStore, type Store } from './store.ts';
import { asSystem } from './tenant.ts';

/** What an injected statement could try, each followed by a read of every organization. */
const ATTEMPTS: string[] = [
  `SELECT set_config('gatehouse.rls_bypass', 'on', false)`,
  `SET gatehouse.rls_bypass = 'on'`,
  `SET gatehouse.rls_bypass = 'true'`,
  `SELECT set_config('gatehouse.rls_bypass', '${randomBytes(48).toString('hex')}', false)`,
  `SELECT set_config('gatehouse.rls_bypass', (SELECT key FROM gatehouse_rls_keys LIMIT 1), false)`,
  `CREATE OR REPLACE FUNCTION gatehouse_rls_bypassed() RETURNS boolean LANGUAGE sql AS 'SELECT true'`,
  `CREATE OR REPLACE FUNCTION gatehouse_tenant_visible(org text) RETURNS boolean LANGUAGE sql AS 'SELECT true'`,
  `ALTER TABLE organizations DISABLE ROW LEVEL SECURITY`,
  `ALTER TABLE organizations NO FORCE ROW LEVEL SECURITY`,
  `DROP POLICY tenant_isolation ON organizations`,
  `UPDATE gatehouse_rls_keys SET key = 'on'`,
  `INSERT INTO gatehouse_rls_keys VALUES ('${'a'.repeat(64)}')`,
  `ALTER ROLE ${APP_ROLE} BYPASSRLS`,
];

for (const engine of testEngines()) {
  describe(`row-level-security bypass on ${engine.name}`, () => {
    let store: Store;
    before(async () => {
      store = await engine.open();
      await createOrg(store.db, 'Acme');
      await createOrg(store.db, 'Globex');
    });
    after(() => store?.close());

    it('SQL running as the app role cannot lift RLS: tried N accepted 0', async () => {
      let accepted = 0;
      for (const attempt of ATTEMPTS) {
        // Each attempt in its own transaction, as an injected statement would run inside a request.
        const seen = await store.db
          .transaction()
          .execute(async (tx) => {
            await sql`SAVEPOINT attempt`.execute(tx);
            try {
              await sql.raw(attempt).execute(tx);
            } catch {
              await sql`ROLLBACK TO SAVEPOINT attempt`.execute(tx);
            }
            return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM organizations`.execute(tx)).rows[0]!.n;
          })
          .catch(() => 0);
        if (seen > 0) accepted++;
      }
      console.log(`rls bypass (${engine.name}): tried ${ATTEMPTS.length} accepted ${accepted}`);
      assert.equal(accepted, 0);
      const direct = await sql<{ n: number }>`SELECT count(*)::int AS n FROM organizations`.execute(store.db);
      assert.equal(direct.rows[0]!.n, 0, 'outside any transaction the app role sees nothing either');
    });

    it('the key table is unreadable by the app role, and system transactions still see every tenant', async () => {
      await assert.rejects(sql`SELECT key FROM gatehouse_rls_keys`.execute(store.db), /permission denied/);
      const n = await asSystem(store.db, 'test', (tx) => tx.selectFrom('organizations').select('id').execute());
      assert.ok(n.length >= 2);
    });
  });
}

describe('a failed SET ROLE fails the request', {
  skip: requirePostgres('a separate login role needs PostgreSQL'),
}, () => {
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  before(async () => {
    database = await createTestDatabase();
    store = await openStore({ engine: 'postgres', url: database.url, poolSize: 2 });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it('refuses to hand out a connection that could not switch to the app role', async () => {
    // The role disappears under a running server (renamed for the test; roles are cluster-wide).
    await store.owner.query(`ALTER ROLE ${APP_ROLE} RENAME TO ${APP_ROLE}_away`);
    try {
      await assert.rejects(sql`SELECT current_user AS u`.execute(store.db), /could not switch to role/);
    } finally {
      await store.owner.query(`ALTER ROLE ${APP_ROLE}_away RENAME TO ${APP_ROLE}`);
    }
    const { rows } = await sql<{ u: string }>`SELECT current_user AS u`.execute(store.db);
    assert.equal(rows[0]!.u, APP_ROLE, 'a fresh connection switches once the role is back');
  });
});
