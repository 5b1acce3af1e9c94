// Group commit of durable acknowledgements: deliveries arriving together share one inbox statement,
// each resolves only after the row it needs is committed, a repeated id is new once, and an event
// the database refuses fails alone while the deliveries that shared its statement are stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import type { Store } from '../store/store.ts';
import { asSystem } from '../store/tenant.ts';
import { testEngines } from '../../test/support/stores.ts';
import { makeEvent } from '../../test/webhooks/support.ts';
import { createInboxBatcher } from './inbox-batcher.ts';

/** Counts the statements sent through a Kysely handle (an observer, not a stand-in). */
function statementCounter(): KyselyPlugin & { count: number } {
  const counter = {
    count: 0,
    transformQuery: (args: Parameters<KyselyPlugin['transformQuery']>[0]) => {
      counter.count++;
      return args.node;
    },
    transformResult: async (args: Parameters<KyselyPlugin['transformResult']>[0]) => args.result,
  };
  return counter;
}

const userEvent = (org: string, n: number, email = `u${n}@batch.test`) =>
  makeEvent('dsync.user.created', {
    object: 'directory_user',
    id: `directory_user_batch_${org}_${n}`,
    directory_id: `directory_${org}`,
    organization_id: org,
    email,
    state: 'active',
  });

for (const engine of testEngines()) {
  describe(`inbox batcher (${engine.name})`, () => {
    let store: Store;
    before(async () => {
      store = await engine.open();
    });
    after(async () => store?.close());
    const pendingIds = async (org: string) =>
      (
        await asSystem(store.db, 'test reads', (tx) =>
          tx
            .selectFrom('webhook_events')
            .select('id')
            .where('organization_id', '=', org)
            .where('status', '=', 'pending')
            .execute(),
        )
      ).map((r) => r.id);

    it('stores deliveries arriving together in shared statements, a repeated id once', async () => {
      const counter = statementCounter();
      const batcher = createInboxBatcher(store.db.withPlugin(counter), { maxInFlight: 1 });
      const events = Array.from({ length: 30 }, (_, n) => userEvent('org_batch_a', n));
      const wave = [...events, events[7]!, events[20]!];
      const queued = await Promise.all(wave.map((e) => batcher.enqueue(e)));
      assert.deepEqual(
        queued,
        wave.map((_, i) => i < 30),
      );
      // The first delivery alone, everything that arrived while it was in flight in one more.
      assert.equal(counter.count, 2);
      assert.deepEqual((await pendingIds('org_batch_a')).sort(), events.map((e) => e.id).sort());
      // A later delivery of a stored event is a duplicate, in a batch or alone.
      assert.deepEqual(
        await Promise.all([batcher.enqueue(events[3]!), batcher.enqueue(userEvent('org_batch_a', 30))]),
        [false, true],
      );
    });

    it('fails only the delivery the database refuses; the others of its statement are stored', async () => {
      const batcher = createInboxBatcher(store.db, { maxInFlight: 1 });
      const good = Array.from({ length: 12 }, (_, n) => userEvent('org_batch_b', n));
      // jsonb cannot hold U+0000: a signed event carrying it is refused by the database itself.
      const bad = userEvent('org_batch_b', 99, 'nul\u0000@batch.test');
      const wave = [...good.slice(0, 6), bad, ...good.slice(6)];
      const settled = await Promise.allSettled(wave.map((e) => batcher.enqueue(e)));
      for (const [i, s] of settled.entries()) {
        if (wave[i] === bad) assert.equal(s.status, 'rejected');
        else assert.deepEqual(s, { status: 'fulfilled', value: true });
      }
      assert.deepEqual((await pendingIds('org_batch_b')).sort(), good.map((e) => e.id).sort());
    });
  });
}
