// Property: applying a directory's events from the queue in set-based batches leaves exactly what
// applying them one by one through their handlers leaves — the same mirror rows (tombstones and
// versions included), the same outcome per event and the same audit entries in the same order —
// and the audit log still verifies. Histories are random (users and groups created, updated,
// deleted, members added and removed, now and then a directory deletion, a user the directory can
// link, an event of a broken shape); they are delivered in two waves (so the second meets rows
// newer than some of its events) and drained in batches of random size. Organization A takes the
// queue, organization B the per-event handlers, each with its own copy of the ids.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { applyOrganizationBatch, enqueueEvent } from '../../src/webhooks/apply-queue.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { integrateAuditLog } from '../../src/audit/audit-log.ts';
import { systemReader, verifyStoredLog } from '../../src/audit/verify.ts';
import { testEngines } from '../support/stores.ts';
import { recordingRevoker } from '../webhooks/support.ts';

type Cmd =
  | { op: 'user'; u: number; state: 'active' | 'suspended' | 'deleted'; name: string }
  | { op: 'group'; g: number; name: string }
  | { op: 'member'; u: number; g: number; present: boolean }
  | { op: 'dropDirectory' }
  | { op: 'broken' };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('user' as const),
      u: fc.nat(4),
      state: fc.constantFrom('active' as const, 'active' as const, 'suspended' as const, 'deleted' as const),
      name: fc.constantFrom('Ann', 'Bo'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('group' as const), g: fc.nat(2), name: fc.constantFrom('eng', 'ops') }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('member' as const), u: fc.nat(4), g: fc.nat(2), present: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'dropDirectory' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'broken' as const }) },
);

interface Ev {
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
}

/** The history as events of organization `side` (A or B): same times, same shapes, own ids. */
function eventsOf(run: number, side: 'A' | 'B', cmds: Cmd[], linkedUser: number): Ev[] {
  const org = `org_bp${run}${side}`;
  const dir = `directory_bp${run}${side}`;
  const base = Date.UTC(2026, 2, 1) + run * 1_000_000;
  const events: Ev[] = [];
  const user = (u: number, state: string, name: string) => ({
    object: 'directory_user',
    id: `directory_user_bp${run}${side}_${u}`,
    directory_id: dir,
    organization_id: org,
    idp_id: `idp${u}`,
    // One user's email can be linked (a Gatehouse user on the organization's verified domain).
    email: u === linkedUser ? `linked@bp${run}${side}.test` : `u${u}@bp${run}${side}-other.test`,
    first_name: name,
    last_name: 'L',
    state,
    emails: [],
  });
  const group = (g: number, name: string) => ({
    object: 'directory_group',
    id: `directory_group_bp${run}${side}_${g}`,
    directory_id: dir,
    organization_id: org,
    idp_id: `g${g}`,
    name,
  });
  const emit = (event: string, data: Record<string, unknown>) => {
    const n = events.length;
    events.push({
      id: `event_bp${String(run).padStart(4, '0')}${side}_${String(n).padStart(5, '0')}`,
      event,
      data,
      created_at: new Date(base + n).toISOString(),
    });
  };
  emit('dsync.activated', {
    object: 'directory',
    id: dir,
    organization_id: org,
    name: 'D',
    type: 'scim',
    state: 'active',
  });
  const seen = new Set<string>();
  for (const c of cmds) {
    if (c.op === 'user') {
      const type = c.state === 'deleted' ? 'deleted' : seen.has(`u${c.u}`) ? 'updated' : 'created';
      seen.add(`u${c.u}`);
      emit(`dsync.user.${type}`, user(c.u, c.state === 'deleted' ? 'inactive' : c.state, c.name));
    } else if (c.op === 'group') {
      emit(`dsync.group.${seen.has(`g${c.g}`) ? 'updated' : 'created'}`, group(c.g, c.name));
      seen.add(`g${c.g}`);
    } else if (c.op === 'member') {
      const data = { directory_id: dir, user: user(c.u, 'active', 'Ann'), group: group(c.g, 'eng') };
      emit(`dsync.group.user_${c.present ? 'added' : 'removed'}`, data);
    } else if (c.op === 'dropDirectory') {
      emit('dsync.deleted', { object: 'directory', id: dir, organization_id: org, state: 'deleted' });
    } else {
      emit('dsync.user.updated', { id: 'x', organization_id: org }); // fails its handler, parked alone
    }
  }
  return events;
}

/** What must be equal between the two organizations, with the side letter taken out of the ids. */
async function snapshot(store: Store, org: string, side: 'A' | 'B') {
  const strip = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(new RegExp(`(bp\\d+)${side}`, 'g'), '$1'));
  await integrateAuditLog(store.db, org);
  return asSystem(store.db, 'test reads', async (tx) => {
    const users = await tx
      .selectFrom('directory_users')
      .select(['id', 'email', 'first_name', 'state', 'deleted_at', 'provider_updated_at', 'user_id'])
      .where('organization_id', '=', org)
      .orderBy('id')
      .execute();
    const groups = await tx
      .selectFrom('directory_groups')
      .select(['id', 'name', 'deleted_at', 'provider_updated_at'])
      .where('organization_id', '=', org)
      .orderBy('id')
      .execute();
    const members = await tx
      .selectFrom('directory_group_members')
      .select(['group_id', 'directory_user_id', 'present', 'provider_updated_at'])
      .where('organization_id', '=', org)
      .orderBy('group_id')
      .orderBy('directory_user_id')
      .execute();
    const events = await tx
      .selectFrom('webhook_events')
      .select(['id', 'outcome', 'status'])
      .where('organization_id', '=', org)
      .orderBy('id')
      .execute();
    const audit = await tx
      .selectFrom('audit_events')
      .select(['type', 'target_id', 'data'])
      .where('organization_id', '=', org)
      .orderBy('seq')
      .execute();
    return strip({
      users,
      groups,
      members,
      outcomes: events.map((e) => [e.id, e.status === 'applied' ? e.outcome : 'failed']),
      audit: audit.map((a) => [a.type, a.target_id, a.data]),
    });
  });
}

for (const engine of testEngines()) {
  describe(`set-based batch apply equals per-event apply (${engine.name})`, () => {
    let store: Store;
    const access = recordingRevoker();
    before(async () => {
      store = await engine.open();
    });
    after(async () => store?.close());

    it('same mirror, outcomes and audit entries for random histories, waves and batch sizes', async () => {
      let run = 0;
      let setBased = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(cmd, { minLength: 4, maxLength: 30 }),
          fc.nat(100),
          fc.integer({ min: 2, max: 12 }),
          fc.integer({ min: 0, max: 5 }),
          async (cmds, split, batchSize, linkedUser) => {
            run++;
            for (const side of ['A', 'B'] as const) {
              const org = `org_bp${run}${side}`;
              await asSystem(store.db, 'test seeds', async (tx) => {
                await tx.insertInto('organizations').values({ id: org, name: org }).execute();
                await tx
                  .insertInto('organization_domains')
                  .values({
                    organization_id: org,
                    id: `od_bp${run}${side}`,
                    domain: `bp${run}${side}.test`,
                    state: 'verified',
                  })
                  .execute();
                await tx
                  .insertInto('users')
                  .values({ id: `user_bp${run}${side}`, email: `linked@bp${run}${side}.test` })
                  .execute();
              });
            }
            const a = eventsOf(run, 'A', cmds, linkedUser);
            const b = eventsOf(run, 'B', cmds, linkedUser);
            // Two waves, the same for both sides: a random part of the history, then the rest.
            const cut = (events: Ev[]) => {
              const first = events.filter((_, i) => (i * 37 + split) % 100 < split);
              return [first, events.filter((e) => !first.includes(e))];
            };
            const orgA = `org_bp${run}A`;
            for (const wave of cut(a)) {
              for (const e of wave) await enqueueEvent(store.db, e, 'webhook');
              for (;;) {
                const r = await applyOrganizationBatch({ db: store.db, access }, orgA, batchSize);
                if (!r) break;
                setBased += r.setBased;
                if (r.applied + r.failed === 0) break;
              }
            }
            for (const wave of cut(b)) {
              const ordered = [...wave].sort((x, y) =>
                x.created_at === y.created_at ? (x.id < y.id ? -1 : 1) : x.created_at < y.created_at ? -1 : 1,
              );
              for (const e of ordered) {
                await ingestEvent({ db: store.db, access }, e, 'webhook').catch(async () => {
                  // The queue parks a broken event; here it is stored as failed the same way.
                  await asSystem(store.db, 'test records a failure', (tx) =>
                    tx
                      .insertInto('webhook_events')
                      .values({
                        id: e.id,
                        type: e.event,
                        organization_id: `org_bp${run}B`,
                        payload: JSON.stringify(e),
                        provider_created_at: e.created_at,
                        source: 'webhook',
                        outcome: null,
                        status: 'failed',
                      })
                      .execute(),
                  );
                });
              }
            }
            const [sa, sb] = [await snapshot(store, orgA, 'A'), await snapshot(store, `org_bp${run}B`, 'B')];
            assert.deepEqual(sa, sb);
            const verdict = await verifyStoredLog(systemReader(store.db), orgA, new Map());
            assert.ok(verdict.valid, `the batch-appended log verifies: ${JSON.stringify(verdict)}`);
          },
        ),
        {
          numRuns: Number(process.env.PROPERTY_RUNS ?? 12),
          seed: Number(process.env.PROPERTY_SEED ?? 20261201),
          endOnFailure: true,
        },
      );
      assert.ok(setBased > 0, 'some runs applied set-based');
    });
  });
}
