// The store contract, written once and run on every engine: PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set (CI sets it). Whatever one engine promises, the other must too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { appendAuditEvent } from '../src/audit/audit-log.ts';
import { systemReader, verifyStoredLog } from '../src/audit/verify.ts';
import { loadMigrations, migrate } from '../src/store/migrator.ts';
import type { Store } from '../src/store/store.ts';
import { asSystem, inTenant } from '../src/store/tenant.ts';
import { createOrg, createUser } from './support/fixtures.ts';
import { testEngines } from './support/stores.ts';

const system = { type: 'system' as const, id: null };

for (const engine of testEngines()) {
  describe(`store contract on ${engine.name}`, () => {
    let store: Store;
    let orgA: string;
    let orgB: string;
    before(async () => {
      store = await engine.open();
      orgA = await createOrg(store.db, 'Acme');
      orgB = await createOrg(store.db, 'Globex');
    });
    after(() => store?.close());

    it('applies migrations once: a second run applies nothing', async () => {
      const { applied } = await migrate(store.owner);
      assert.deepEqual(applied, []);
      const { rows } = await store.owner.query('SELECT count(*)::int AS n FROM schema_migrations');
      assert.equal(rows[0]?.n, loadMigrations().length);
    });

    it('syncs the built-in roles and their permissions', async () => {
      const roles = await store.db.selectFrom('roles').select(['slug', 'permissions']).orderBy('slug').execute();
      assert.deepEqual(
        roles.map((r) => r.slug),
        ['admin', 'member'],
      );
      assert.ok(roles[0]!.permissions.includes('audit:read'));
      assert.ok(!roles[1]!.permissions.includes('members:manage'));
    });

    it('row-level security: a query with no organization set sees no tenant rows', async () => {
      const userId = await createUser(store.db, 'ada@acme.test');
      await inTenant(store.db, orgA, (tx) =>
        tx
          .insertInto('organization_memberships')
          .values({
            organization_id: orgA,
            id: 'om_a1',
            user_id: userId,
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          })
          .execute(),
      );
      await inTenant(store.db, orgA, (tx) =>
        appendAuditEvent(tx, { organizationId: orgA, type: 'member.added', actor: system }),
      );
      assert.equal((await store.db.selectFrom('organizations').selectAll().execute()).length, 0);
      assert.equal((await store.db.selectFrom('organization_memberships').selectAll().execute()).length, 0);
      assert.equal((await store.db.selectFrom('audit_events').selectAll().execute()).length, 0);
      // The same query inside a tenant transaction sees that tenant only.
      const seen = await inTenant(store.db, orgA, (tx) => tx.selectFrom('organizations').select('id').execute());
      assert.deepEqual(
        seen.map((r) => r.id),
        [orgA],
      );
      const fromB = await inTenant(store.db, orgB, (tx) =>
        tx.selectFrom('organization_memberships').selectAll().execute(),
      );
      assert.equal(fromB.length, 0);
    });

    it("row-level security: a tenant transaction cannot write another tenant's rows", async () => {
      const userId = await createUser(store.db, 'eve@globex.test');
      await assert.rejects(
        inTenant(store.db, orgA, (tx) =>
          tx
            .insertInto('organization_memberships')
            .values({
              organization_id: orgB,
              id: 'om_x',
              user_id: userId,
              role_slug: 'admin',
              status: 'active',
              source: 'manual',
            })
            .execute(),
        ),
        /row-level security/,
      );
      const updated = await inTenant(store.db, orgA, (tx) =>
        tx.updateTable('organizations').set({ name: 'pwned' }).where('id', '=', orgB).executeTakeFirst(),
      );
      assert.equal(updated.numUpdatedRows, 0n);
    });

    it('keeps users global and memberships unique per organization and user', async () => {
      const userId = await createUser(store.db, 'grace@both.test');
      for (const org of [orgA, orgB]) {
        await inTenant(store.db, org, (tx) =>
          tx
            .insertInto('organization_memberships')
            .values({
              organization_id: org,
              id: `om_${org}`,
              user_id: userId,
              role_slug: 'member',
              status: 'pending',
              source: 'invitation',
            })
            .execute(),
        );
      }
      await assert.rejects(
        inTenant(store.db, orgA, (tx) =>
          tx
            .insertInto('organization_memberships')
            .values({
              organization_id: orgA,
              id: 'om_dup',
              user_id: userId,
              role_slug: 'member',
              status: 'active',
              source: 'manual',
            })
            .execute(),
        ),
        /duplicate key/,
      );
      await assert.rejects(
        inTenant(store.db, orgA, (tx) =>
          tx
            .insertInto('organization_memberships')
            .values({
              organization_id: orgA,
              id: 'om_bad',
              user_id: userId,
              role_slug: 'member',
              status: 'bogus' as 'active',
              source: 'manual',
            })
            .execute(),
        ),
        /check constraint/,
      );
    });

    it('appends audit events to a Merkle log per organization and verifies them', async () => {
      const org = await createOrg(store.db, 'Chain');
      for (let i = 0; i < 5; i++) {
        await inTenant(store.db, org, (tx) =>
          appendAuditEvent(tx, {
            organizationId: org,
            type: 'sso.connection_created',
            actor: { type: 'user', id: 'user_1' },
            target: { type: 'connection', id: `conn_${i}` },
            data: { i, nested: { z: 1, a: [1, 'two'] } },
          }),
        );
      }
      const verdict = await verifyStoredLog(systemReader(store.db), org, new Map());
      assert.equal(verdict.valid, true);
      assert.equal(verdict.size, 5);
      const rows = await inTenant(store.db, org, (tx) =>
        tx.selectFrom('audit_events').select(['seq', 'entry']).orderBy('seq').execute(),
      );
      assert.deepEqual(
        rows.map((r) => r.seq),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(
        rows.map((r) => JSON.parse(r.entry).target.id),
        ['conn_0', 'conn_1', 'conn_2', 'conn_3', 'conn_4'],
      );
    });

    it('never stores secrets in audit data', async () => {
      const org = await createOrg(store.db, 'Secrets');
      await inTenant(store.db, org, (tx) =>
        appendAuditEvent(tx, {
          organizationId: org,
          type: 'api_key.created',
          actor: system,
          data: { prefix: 'gth_live_ab', secret: 'gth_live_abcdef', nested: { password: 'hunter2' } },
        }),
      );
      const row = await inTenant(store.db, org, (tx) =>
        tx.selectFrom('audit_events').select('data').executeTakeFirstOrThrow(),
      );
      assert.doesNotMatch(JSON.stringify(row.data), /abcdef|hunter2/);
      assert.equal(row.data.prefix, 'gth_live_ab');
    });

    it('refuses UPDATE and DELETE of audit rows, even as the database owner', async () => {
      const org = await createOrg(store.db, 'Immutable');
      await inTenant(store.db, org, (tx) =>
        appendAuditEvent(tx, { organizationId: org, type: 'member.added', actor: system }),
      );
      await assert.rejects(
        store.owner.query(`UPDATE audit_events SET type = 'x.y' WHERE organization_id = $1`, [org]),
        /append-only/,
      );
      await assert.rejects(
        store.owner.query(`DELETE FROM audit_events WHERE organization_id = $1`, [org]),
        /append-only/,
      );
      await assert.rejects(
        inTenant(store.db, org, (tx) => tx.deleteFrom('audit_events').where('organization_id', '=', org).execute()),
        /permission denied|append-only/,
      );
    });

    it('a tampered row makes verification name its seq', async () => {
      const org = await createOrg(store.db, 'Tamper');
      for (let i = 0; i < 4; i++)
        await inTenant(store.db, org, (tx) =>
          appendAuditEvent(tx, {
            organizationId: org,
            type: 'member.role_changed',
            actor: system,
            data: { to: 'admin' },
          }),
        );
      await store.owner.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      try {
        await store.owner.query(
          `UPDATE audit_events SET data = '{"to":"owner"}' WHERE organization_id = $1 AND seq = 3`,
          [org],
        );
      } finally {
        await store.owner.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
      }
      const verdict = await verifyStoredLog(systemReader(store.db), org, new Map());
      assert.equal(verdict.valid, false);
      assert.equal(verdict.valid === false && verdict.firstInvalidSeq, 3);
    });

    it('20 concurrent appenders to one organization leave one unbroken chain', async () => {
      const org = await createOrg(store.db, 'Concurrent');
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          inTenant(store.db, org, (tx) =>
            appendAuditEvent(tx, {
              organizationId: org,
              type: 'session.created',
              actor: { type: 'user', id: `user_${i}` },
            }),
          ),
        ),
      );
      const verdict = await verifyStoredLog(systemReader(store.db), org, new Map());
      assert.deepEqual({ valid: verdict.valid, size: verdict.size }, { valid: true, size: 20 });
    });

    it('a system transaction sees every tenant, and says so', async () => {
      const count = await asSystem(store.db, 'test', (tx) =>
        tx.selectFrom('organizations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      );
      assert.ok(count.n >= 2);
    });
  });
}
