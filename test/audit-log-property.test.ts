// The audit log's invariant, checked after every step of generated operation sequences on every
// engine: whatever writers commit, roll back, leave pending or checkpoint, the stored head is the
// Merkle root of exactly the committed entries in seq order 1..n, every stored checkpoint is a
// prefix of it (a consistency proof verifies), and verification says ok.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { appendAuditEvent, readAuditHead } from '../src/audit/audit-log.ts';
import { createAuditKeyRing } from '../src/audit/checkpoint.ts';
import { allCheckpoints, issueCheckpoint, startCheckpointer } from '../src/audit/checkpoints.ts';
import { consistencyProof, leafHash, merkleRoot, verifyConsistency } from '../src/audit/merkle.ts';
import { systemReader, verifyStoredLog } from '../src/audit/verify.ts';
import { createLogger } from '../src/logger.ts';
import type { Store } from '../src/store/store.ts';
import { asSystem, inTenant } from '../src/store/tenant.ts';
import { createOrg } from './support/fixtures.ts';
import { testEngines } from './support/stores.ts';

const runs = Number(process.env.PROPERTY_RUNS ?? 6);
const keys = createAuditKeyRing([], ['the-property-test-secret-of-32-characters+']);

type Op =
  | { kind: 'append'; org: number; writers: number }
  | { kind: 'rollback'; org: number }
  | { kind: 'pending'; org: number }
  | { kind: 'checkpoint'; org: number }
  | { kind: 'sweep' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      org: fc.nat(1),
      writers: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rollback' as const), org: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pending' as const), org: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('checkpoint' as const), org: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'sweep' as const }) },
);

for (const engine of testEngines()) {
  describe(`audit log invariant on ${engine.name}`, () => {
    let store: Store;
    before(async () => {
      store = await engine.open();
    });
    after(() => store.close());

    async function check(org: string, committed: number): Promise<void> {
      const rows = await asSystem(store.db, 'test', (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['seq', 'entry'])
          .where('organization_id', '=', org)
          .orderBy('seq')
          .execute(),
      );
      const head = await asSystem(store.db, 'test', (tx) => readAuditHead(tx, org));
      const pending = await asSystem(store.db, 'test', (tx) =>
        tx.selectFrom('audit_pending').select('pending_id').where('organization_id', '=', org).execute(),
      );
      assert.equal(rows.length + pending.length, committed, 'every committed entry is filed or pending, none twice');
      assert.deepEqual(
        rows.map((r) => r.seq),
        rows.map((_, i) => i + 1),
        'seq runs 1..n',
      );
      const leaves = rows.map((r) => leafHash(r.entry));
      const root = merkleRoot(leaves);
      if (rows.length > 0)
        assert.ok(
          head && head.size === rows.length && head.root.equals(root),
          'the head is the root of the filed entries',
        );
      const checkpoints = await asSystem(store.db, 'test', (tx) => allCheckpoints(tx, org));
      for (const c of checkpoints) {
        assert.ok(c.size <= rows.length);
        assert.ok(
          verifyConsistency(
            c.size,
            rows.length,
            Buffer.from(c.rootHash, 'hex'),
            root,
            consistencyProof(leaves, c.size),
          ),
          `checkpoint ${c.size} is a prefix`,
        );
      }
      const verdict = await verifyStoredLog(systemReader(store.db), org, keys.trusted);
      assert.ok(verdict.valid, verdict.valid ? '' : verdict.reason);
    }

    it('holds after every step of generated sequences', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
          const orgs = [await createOrg(store.db, 'P0'), await createOrg(store.db, 'P1')];
          const committed = [0, 0];
          const checkpointer = startCheckpointer(store.db, {
            signer: keys.signer!,
            everyEvents: 3,
            intervalMs: 3_600_000,
            logger: createLogger('silent'),
          });
          checkpointer.close(); // ticks only when the sequence says so
          for (const o of ops) {
            const org = o.kind === 'sweep' ? undefined : orgs[o.org]!;
            if (o.kind === 'append') {
              await Promise.all(
                Array.from({ length: o.writers }, (_, w) =>
                  inTenant(store.db, org!, (tx) =>
                    appendAuditEvent(tx, {
                      organizationId: org!,
                      type: 'member.added',
                      actor: { type: 'user', id: `user_${w}` },
                      data: { w },
                    }),
                  ),
                ),
              );
              committed[o.org]! += o.writers;
            } else if (o.kind === 'rollback') {
              await assert.rejects(
                inTenant(store.db, org!, async (tx) => {
                  await appendAuditEvent(tx, {
                    organizationId: org!,
                    type: 'member.added',
                    actor: { type: 'system', id: null },
                  });
                  throw new Error('the change failed');
                }),
                /the change failed/,
              );
            } else if (o.kind === 'pending') {
              // A writer that died between its commit and the integration: the entry waits.
              // The same id twice must not wedge the log either.
              await inTenant(store.db, org!, (tx) =>
                sql`SELECT gatehouse_audit_submit(${org!}, '{"id":"audit_p","type":"member.added","actor":{"type":"system","id":null},"data":{}}'::jsonb)`.execute(
                  tx,
                ),
              );
              committed[o.org]! += 1;
            } else if (o.kind === 'checkpoint') {
              await issueCheckpoint(store.db, keys.signer!, org!);
            } else {
              await checkpointer.tick();
            }
            for (const [i, id] of orgs.entries()) await check(id, committed[i]!);
          }
        }),
        { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261130) },
      );
    });

    it('the scheduled run files what was left pending and checkpoints every N events', async () => {
      const org = await createOrg(store.db, 'Scheduled');
      for (let i = 0; i < 4; i++)
        await inTenant(store.db, org, (tx) =>
          sql`SELECT gatehouse_audit_submit(${org}, ${JSON.stringify({ id: `audit_s${i}`, type: 'member.added', actor: { type: 'system', id: null }, data: {} })}::jsonb)`.execute(
            tx,
          ),
        );
      const checkpointer = startCheckpointer(store.db, {
        signer: keys.signer!,
        everyEvents: 3,
        intervalMs: 3_600_000,
        logger: createLogger('silent'),
      });
      try {
        await checkpointer.tick();
        const cps = await asSystem(store.db, 'test', (tx) => allCheckpoints(tx, org));
        assert.deepEqual(
          cps.map((c) => c.size),
          [4],
        );
        await inTenant(store.db, org, (tx) =>
          appendAuditEvent(tx, { organizationId: org, type: 'member.added', actor: { type: 'system', id: null } }),
        );
        await checkpointer.tick();
        assert.equal(
          (await asSystem(store.db, 'test', (tx) => allCheckpoints(tx, org))).length,
          1,
          'one more event is below N and the interval has not passed',
        );
      } finally {
        checkpointer.close();
      }
    });
  });
}
