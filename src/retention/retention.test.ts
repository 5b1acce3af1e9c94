// Retention on both engines. The property: whatever interleaving of deliveries, redeliveries, time
// passing and pruning runs, an event WorkOS can still send (younger than its 30-day Events API
// window, which also covers its webhook retries) is recognised as a duplicate — exactly-once holds
// with pruning on. Then a table of sessions and mail rows around their cut-offs, the audit trail
// untouched, the one-instance lock, and the configuration floor.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import fc from 'fast-check';
import { parseConfig, ConfigError } from '../config.ts';
import { asSystem } from '../store/tenant.ts';
import type { Store } from '../store/store.ts';
import { createOrg, createUser } from '../../test/support/fixtures.ts';
import { testEngines } from '../../test/support/stores.ts';
import { countRows, deliver, signed, webhookApp } from '../../test/webhooks/support.ts';
import { pruneOnce, RETENTION_LOCK_KEY, withRetentionLock, type RetentionPolicy } from './retention.ts';

const DAY = 24 * 3600 * 1000;
const PROVIDER_WINDOW_DAYS = 30;
const policy: RetentionPolicy = { webhookEventsDays: 31, sessionsDays: 30, mailDays: 14 };

type Op =
  | { kind: 'deliver'; ageDays: number }
  | { kind: 'advance'; days: number }
  | { kind: 'prune' }
  | { kind: 'redeliver'; pick: number };

const ops = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('deliver' as const),
      ageDays: fc.integer({ min: 0, max: PROVIDER_WINDOW_DAYS - 1 }),
    }),
    fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 25 }) }),
    fc.constant({ kind: 'prune' as const }),
    fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat() }),
  ),
  { minLength: 4, maxLength: 14 },
);

for (const engine of testEngines()) {
  describe(`retention (${engine.name})`, () => {
    const stores: Store[] = [];
    after(async () => {
      for (const s of stores) await s.close();
    });

    test('property: pruning never forgets an event WorkOS can still deliver', async () => {
      const store = await engine.open();
      stores.push(store);
      const { app } = webhookApp(store);
      let serial = 0;
      await fc.assert(
        fc.asyncProperty(ops, async (steps: Op[]) => {
          await asSystem(store.db, 'test reset', (tx) => sql`DELETE FROM webhook_events`.execute(tx));
          const orgId = `org_retention${String(++serial).padStart(6, '0')}`;
          // Each run lives in its own stretch of the past (at most 14 steps x 25 days ahead of its start,
          // clear of the next): event times ahead of the real clock would be clamped to it on intake.
          let now = Date.now() - 400 * DAY * serial;
          const delivered: Array<{ id: string; body: string; createdAt: number }> = [];
          const send = async (body: string) =>
            ((await (await deliver(app, body, signed(body))).json()) as { outcome: string }).outcome;
          for (const step of steps) {
            if (step.kind === 'deliver') {
              const createdAt = now - step.ageDays * DAY;
              const id = `event_${serial}_${delivered.length}`;
              const body = JSON.stringify({
                id,
                event: 'organization.updated',
                data: { id: orgId, name: `name ${delivered.length}` },
                created_at: new Date(createdAt).toISOString(),
              });
              assert.notEqual(await send(body), 'duplicate');
              delivered.push({ id, body, createdAt });
            } else if (step.kind === 'advance') {
              now += step.days * DAY;
            } else if (step.kind === 'prune') {
              await pruneOnce(store.db, policy, { now: new Date(now), batchSize: 2 });
              const ids = await asSystem(store.db, 'test reads', async (tx) =>
                (await tx.selectFrom('webhook_events').select('id').execute()).map((r) => r.id),
              );
              for (const e of delivered)
                if (now - e.createdAt >= policy.webhookEventsDays * DAY)
                  assert.ok(!ids.includes(e.id), `${e.id} outlived its period`);
            } else {
              const sendable = delivered.filter((e) => now - e.createdAt < PROVIDER_WINDOW_DAYS * DAY);
              const e = sendable[step.pick % Math.max(1, sendable.length)];
              if (e) {
                const audits = await countRows(store.db, 'audit_events');
                assert.equal(await send(e.body), 'duplicate', `${e.id} replayed inside the window`);
                assert.equal(await countRows(store.db, 'audit_events'), audits, 'a replay writes no audit entry');
              }
            }
            // After every step: every event WorkOS could still send has its inbox row.
            const kept = new Set(
              await asSystem(store.db, 'test reads', async (tx) =>
                (await tx.selectFrom('webhook_events').select('id').execute()).map((r) => r.id),
              ),
            );
            for (const e of delivered)
              if (now - e.createdAt < PROVIDER_WINDOW_DAYS * DAY)
                assert.ok(kept.has(e.id), `${e.id} pruned while WorkOS could still deliver it`);
          }
        }),
        {
          numRuns: Number(process.env.PROPERTY_RUNS ?? (engine.name === 'pglite' ? 8 : 25)),
          seed: Number(process.env.PROPERTY_SEED ?? 20261130),
        },
      );
    });

    test('ended sessions and settled mail go after their periods; the rest and the audit trail stay', async () => {
      const store = await engine.open();
      stores.push(store);
      const org = await createOrg(store.db);
      const user = await createUser(store.db, 'retention@acme.test');
      const now = new Date('2030-06-01T00:00:00Z');
      const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
      const session = (id: string, ended: { revoked?: number; expires?: number; idle?: number }) => ({
        organization_id: org,
        id,
        user_id: user,
        auth_method: 'password',
        role: 'member',
        secret_hash: 'x',
        revoked_at: ended.revoked === undefined ? null : ago(ended.revoked),
        expires_at: ago(ended.expires ?? -5),
        idle_expires_at: ago(ended.idle ?? -1),
      });
      await asSystem(store.db, 'test fixture', async (tx) => {
        await tx
          .insertInto('sessions')
          .values([
            session('live', {}),
            session('revoked_old', { revoked: 31 }),
            session('revoked_recent', { revoked: 29 }),
            session('expired_old', { expires: 40, idle: 41 }),
            session('idle_old', { idle: 35 }),
            session('idle_recent', { idle: 2 }),
          ])
          .execute();
        const mail = (id: string, status: 'pending' | 'sent' | 'dev' | 'failed', days: number) => ({
          id,
          to_address: 'a@acme.test',
          template: 't',
          status,
          created_at: ago(days),
          sent_at: status === 'sent' ? ago(days) : null,
        });
        await tx
          .insertInto('mail_outbox')
          .values([
            mail('sent_old', 'sent', 15),
            mail('sent_recent', 'sent', 13),
            mail('dev_old', 'dev', 20),
            mail('failed_old', 'failed', 20),
            mail('pending_old', 'pending', 60),
          ])
          .execute();
        const code = (id: string, hours: number) => ({
          id,
          email: 'a@acme.test',
          code_hash: 'h',
          source_address: '',
          created_at: new Date(now.getTime() - hours * 3600_000),
          expires_at: new Date(now.getTime() - hours * 3600_000 + 600_000),
        });
        await tx
          .insertInto('email_sign_in_codes')
          .values([code('esc_old', 25), code('esc_recent', 23)])
          .execute();
        await sql`SELECT 1`.execute(tx);
      });
      const { appendAuditEvent } = await import('../audit/audit-log.ts');
      await asSystem(store.db, 'test fixture', (tx) =>
        appendAuditEvent(tx, { organizationId: org, type: 'session.revoked', actor: { type: 'system', id: 'test' } }),
      );
      const audits = await countRows(store.db, 'audit_events');

      const pruned = await pruneOnce(store.db, policy, { now, batchSize: 2 });
      assert.deepEqual(pruned, { webhook_events: 0, sessions: 3, mail_outbox: 3, email_sign_in_codes: 1 });
      const left = await asSystem(store.db, 'test reads', async (tx) => ({
        sessions: (await tx.selectFrom('sessions').select('id').orderBy('id').execute()).map((r) => r.id),
        mail: (await tx.selectFrom('mail_outbox').select('id').orderBy('id').execute()).map((r) => r.id),
      }));
      assert.deepEqual(left, {
        sessions: ['idle_recent', 'live', 'revoked_recent'],
        mail: ['pending_old', 'sent_recent'],
      });
      assert.equal(await countRows(store.db, 'audit_events'), audits, 'the audit trail is never pruned');
      assert.deepEqual(
        await pruneOnce(store.db, policy, { now }),
        { webhook_events: 0, sessions: 0, mail_outbox: 0, email_sign_in_codes: 0 },
        'a second run finds nothing',
      );
    });

    if (engine.name === 'postgres') {
      test('one instance at a time: a run skips while another holds the lock', async () => {
        const store = await engine.open();
        stores.push(store);
        await store.db.connection().execute(async (holder) => {
          await sql`SELECT pg_advisory_lock(${RETENTION_LOCK_KEY})`.execute(holder);
          try {
            assert.deepEqual(await withRetentionLock(store.db, 'postgres', async () => 'ran'), { ran: false });
          } finally {
            await sql`SELECT pg_advisory_unlock(${RETENTION_LOCK_KEY})`.execute(holder);
          }
        });
        assert.deepEqual(await withRetentionLock(store.db, 'postgres', async () => 'ran'), { ran: true, value: 'ran' });
      });
    }
  });
}

test('the inbox period may not be shorter than the window WorkOS can still deliver in', () => {
  assert.throws(
    () => parseConfig({ RETENTION_WEBHOOK_EVENTS_DAYS: '30' }),
    (e: unknown) => e instanceof ConfigError && e.variable === 'RETENTION_WEBHOOK_EVENTS_DAYS',
  );
  assert.equal(parseConfig({}).RETENTION_WEBHOOK_EVENTS_DAYS, 45);
  assert.equal(parseConfig({ RETENTION_WEBHOOK_EVENTS_DAYS: '90' }).RETENTION_WEBHOOK_EVENTS_DAYS, 90);
});
