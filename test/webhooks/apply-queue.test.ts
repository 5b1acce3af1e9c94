// Acknowledge on the durable inbox, apply in batches: with WEBHOOK_ACKNOWLEDGE=durable the
// receiver answers once the pending row is committed, and apply workers (several at once, as on
// several instances) apply every event exactly once, per organization, in batches; a failing
// event is retried with backoff, then parked `failed` with its error while the rest of its
// organization applies; the backlog counts what waits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import {
  applyOrganizationBatch,
  drainQueue,
  listFailedEvents,
  MAX_APPLY_ATTEMPTS,
  readBacklog,
} from '../../src/webhooks/apply-queue.ts';
import { revokesAccess } from '../../src/mirror/revoking-events.ts';
import { testEngines } from '../support/stores.ts';
import { deliver, makeEvent, recordingRevoker, signed, webhookApp } from './support.ts';

for (const engine of testEngines()) {
  describe(`durable acknowledgement and batched apply (${engine.name})`, () => {
    let store: Store;
    const access = recordingRevoker();
    let gatehouse: ReturnType<typeof webhookApp>;
    before(async () => {
      store = await engine.open();
      gatehouse = webhookApp(store, { access, acknowledge: 'durable' });
    });
    after(async () => store?.close());
    const read = <T>(fn: Parameters<typeof asSystem<T>>[2]) => asSystem(store.db, 'test reads', fn);
    const post = async (e: ReturnType<typeof makeEvent>) => {
      const body = JSON.stringify(e);
      const res = await deliver(gatehouse.app, body, signed(body));
      return { status: res.status, outcome: ((await res.json()) as { outcome?: string }).outcome };
    };

    it('acknowledges on the inbox row, then concurrent workers apply each event once and deprovision', async () => {
      const ORGS = 4;
      const USERS = 6;
      const events: Array<ReturnType<typeof makeEvent>> = [];
      let t = Date.UTC(2026, 6, 1);
      const at = () => new Date(t++);
      for (let k = 0; k < ORGS; k++) {
        const org = `org_q${engine.name}${k}`;
        const dir = `directory_q${engine.name}${k}`;
        events.push(
          makeEvent(
            'organization_domain.verified',
            {
              object: 'organization_domain',
              id: `org_domain_q${engine.name}${k}`,
              organization_id: org,
              domain: `q${k}.test`,
              state: 'verified',
            },
            at(),
          ),
        );
        events.push(
          makeEvent(
            'dsync.activated',
            { object: 'directory', id: dir, organization_id: org, name: 'D', type: 'okta scim v2.0', state: 'active' },
            at(),
          ),
        );
        for (let u = 0; u < USERS; u++) {
          const du = {
            object: 'directory_user',
            id: `directory_user_q${engine.name}${k}_${u}`,
            directory_id: dir,
            organization_id: org,
            idp_id: `${u}`,
            email: `u${u}@q${k}.test`,
            first_name: 'U',
            last_name: `${u}`,
            emails: [],
          };
          events.push(
            makeEvent(
              'user.created',
              {
                object: 'user',
                id: `user_q${engine.name}${k}_${u}`,
                email: `u${u}@q${k}.test`,
                first_name: 'U',
                last_name: `${u}`,
              },
              at(),
            ),
          );
          events.push(makeEvent('dsync.user.created', { ...du, state: 'active' }, at()));
          if (u % 2 === 1) events.push(makeEvent('dsync.user.updated', { ...du, state: 'suspended' }, at()));
        }
      }
      // Delivered newest first, with every fifth event twice: order and duplicates must not matter.
      const deliveries = [...events].reverse();
      deliveries.push(...events.filter((_, i) => i % 5 === 0));
      const answers = await Promise.all(deliveries.map((e) => post(e)));
      assert.ok(answers.every((a) => a.status === 200));
      // Suspensions take access away: applied before their answer, not queued behind the backlog.
      const revoking = events.filter((e) => revokesAccess(e)).length;
      assert.ok(revoking > 0);
      assert.equal(answers.filter((a) => a.outcome === 'queued').length, events.length - revoking);
      assert.equal(
        answers.filter((a) => a.outcome === 'applied' || a.outcome === 'stale').length,
        revoking,
        'each suspension applied before its answer',
      );
      assert.equal(answers.filter((a) => a.outcome === 'duplicate').length, deliveries.length - events.length);
      assert.equal(
        (await readBacklog(store.db)).pending,
        events.length - revoking,
        'nothing queued applied before the workers run',
      );

      // Metrics hear of each applied event once, after its batch committed, with its provider time.
      const told: Array<{ created_at: string }> = [];
      const onCommitted = (e: { created_at: string }) => void told.push(e);
      const applied = await Promise.all([1, 2, 3].map(() => drainQueue({ db: store.db, access, onCommitted }, 7)));
      assert.equal(
        applied.reduce((a, b) => a + b, 0),
        events.length - revoking,
        'each queued event applied by exactly one worker',
      );
      assert.equal(told.length, events.length - revoking);
      assert.ok(told.every((e) => Number.isFinite(Date.parse(e.created_at))));
      const rows = await read((tx) =>
        tx
          .selectFrom('webhook_events')
          .select(['status', 'outcome'])
          .where(
            'id',
            'in',
            events.map((e) => e.id),
          )
          .execute(),
      );
      assert.equal(rows.length, events.length);
      assert.ok(rows.every((r) => r.status === 'applied' && (r.outcome === 'applied' || r.outcome === 'stale')));
      assert.deepEqual(await readBacklog(store.db), { pending: 0, failed: 0, oldestPendingSeconds: 0 });
      const unlinked = await read((tx) =>
        tx
          .selectFrom('directory_users')
          .select('id')
          .where('organization_id', 'like', `org_q${engine.name}%`)
          .where('user_id', 'is', null)
          .execute(),
      );
      assert.deepEqual(unlinked, [], 'every directory user linked');
      const active = await read((tx) =>
        tx
          .selectFrom('organization_memberships')
          .select('user_id')
          .where('organization_id', 'like', `org_q${engine.name}%`)
          .where('status', '=', 'active')
          .execute(),
      );
      const expected = events
        .filter((e) => e.event === 'user.created')
        .map((e) => e.data.id as string)
        .filter((id) => Number(id.split('_').at(-1)) % 2 === 0);
      assert.deepEqual(
        active.map((m) => m.user_id).sort(),
        expected.sort(),
        'the active are provisioned, the suspended hold no active membership',
      );
    });

    it('retries a failing event with backoff, then parks it failed with its error; the rest applies', async () => {
      const org = `org_fail${engine.name}`;
      const bad = makeEvent('dsync.user.created', {
        object: 'directory_user',
        id: 'directory_user_bad',
        organization_id: org,
      });
      const good = makeEvent('organization.created', { object: 'organization', id: org, name: 'Fine' });
      assert.equal((await post(bad)).outcome, 'queued');
      assert.equal((await post(good)).outcome, 'queued');
      for (let attempt = 1; attempt <= MAX_APPLY_ATTEMPTS; attempt++) {
        const r = await applyOrganizationBatch({ db: store.db, access }, org);
        assert.ok(r);
        const row = await read((tx) =>
          tx
            .selectFrom('webhook_events')
            .select(['status', 'attempts', 'last_error', 'next_attempt_at'])
            .where('id', '=', bad.id)
            .executeTakeFirstOrThrow(),
        );
        assert.equal(row.attempts, attempt);
        assert.match(row.last_error ?? '', /DIRECTORY_EVENT_INVALID/);
        assert.equal(row.status, attempt < MAX_APPLY_ATTEMPTS ? 'pending' : 'failed');
        if (attempt < MAX_APPLY_ATTEMPTS) {
          assert.ok(row.next_attempt_at && row.next_attempt_at.getTime() > Date.now(), 'backed off');
          assert.equal(await applyOrganizationBatch({ db: store.db, access }, org), null, 'not due before its backoff');
          await read((tx) =>
            tx.updateTable('webhook_events').set({ next_attempt_at: new Date() }).where('id', '=', bad.id).execute(),
          );
        }
      }
      const fine = await read((tx) =>
        tx.selectFrom('organizations').select('name').where('id', '=', org).executeTakeFirstOrThrow(),
      );
      assert.equal(fine.name, 'Fine', 'the good event of the same organization applied on the first pass');
      assert.equal((await readBacklog(store.db)).failed, 1);
      assert.deepEqual(await readBacklog(store.db, org), { pending: 0, failed: 1, oldestPendingSeconds: 0 });
      const [parked] = await listFailedEvents(store.db, org);
      assert.equal(parked?.id, bad.id);
      assert.equal(parked?.attempts, MAX_APPLY_ATTEMPTS);
    });
  });
}
