// The row-level-security bypass cannot be switched on by SQL running as the app role (the threat:
// an SQL injection lifting tenant isolation), system transactions still see every tenant, and a
// connection whose SET ROLE fails refuses to run the request instead of running it without RLS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createOrg } from '../../test/support/fixtures.ts';
import { requirePostgres } from '../../test/support/requirements.ts';
import { createTestDatabase, TEST_DATABASE_URL, testEngines } from '../../test/support/stores.ts';
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
  // Roles are cluster-wide and other test processes share the server, so the app role itself is
  // never touched: the store connects as a login role of this test's own, a member of the app role,
  // and loses that membership under a running server.
  const login = `gatehouse_test_login_${randomBytes(4).toString('hex')}`;
  let database: { url: string; drop(): Promise<void> };
  let admin: Store;
  let store: Store;
  before(async () => {
    database = await createTestDatabase();
    admin = await openStore({ engine: 'postgres', url: database.url, poolSize: 1 });
    await admin.owner.query(`CREATE ROLE ${login} LOGIN`);
    await admin.owner.query(`GRANT ${APP_ROLE} TO ${login}`);
    await admin.owner.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${login}`);
    const url = new URL(database.url);
    url.username = login;
    url.password = '';
    store = await openStore({ engine: 'postgres', url: url.toString(), poolSize: 2 }, { migrate: false });
  });
  after(async () => {
    await store?.close();
    await admin?.close();
    await database?.drop();
    await dropLogin(login);
  });

  it('refuses to hand out a connection that could not switch to the app role', async () => {
    await admin.owner.query(`REVOKE ${APP_ROLE} FROM ${login}`);
    try {
      await assert.rejects(sql`SELECT current_user AS u`.execute(store.db), /could not switch to role/);
    } finally {
      await admin.owner.query(`GRANT ${APP_ROLE} TO ${login}`);
    }
    const { rows } = await sql<{ u: string }>`SELECT current_user AS u`.execute(store.db);
    assert.equal(rows[0]!.u, APP_ROLE, 'a fresh connection switches once the membership is back');
  });
});

/** Drops the test's login role (after its database, which held its grants, is gone). */
async function dropLogin(name: string): Promise<void> {
  const server = await openStore({ engine: 'postgres', url: TEST_DATABASE_URL! }, { migrate: false });
  try {
    await server.owner.query(`DROP ROLE IF EXISTS ${name}`);
  } finally {
    await server.close();
  }
}
