import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebhookDispatcher, type DeliverableEvent, type DeliveryEndpoint } from './dispatcher.ts';
import { createChaosRouter } from './chaos-router.ts';
import { delayFor, NO_CHAOS, type ChaosPatch } from './chaos.ts';

// An in-process receiver (injected fetch, no sockets) so 10,000 events run in well under a
// second of delivery work on a small machine.
function inProcessReceiver() {
  const ids: string[] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    ids.push((JSON.parse(String(init?.body)) as { id: string }).id);
    return new Response(null, { status: 200 });
  };
  return { ids, fetch };
}

const endpoint: DeliveryEndpoint = {
  id: 'we_chaos',
  endpoint_url: 'http://receiver/',
  secret: 's',
  status: 'enabled',
  events: [],
};
const events: DeliverableEvent[] = Array.from({ length: 10_000 }, (_, i) => ({
  id: `event_${i}`,
  event: 'dsync.user.updated',
  data: { n: i },
  created_at: '2026-01-01T00:00:00.000Z',
}));
const heavyChaos: ChaosPatch = { seed: 42, duplicateRate: 0.1, reorderWindow: 50, failFirstRate: 0.05 };

async function run(chaos: ChaosPatch) {
  const receiver = inProcessReceiver();
  const dispatcher = createWebhookDispatcher({
    fetch: receiver.fetch,
    endpoints: () => [endpoint],
    chaos,
    concurrency: 8,
    retry: { baseDelayMs: 1, factor: 2, maxAttempts: 5 },
  });
  for (const e of events) dispatcher.enqueue(e);
  await dispatcher.idle();
  dispatcher.close();
  return { ids: receiver.ids, stats: dispatcher.stats() };
}

test('10,000 events with duplication, reordering and failing first attempts all arrive', async () => {
  const { ids, stats } = await run(heavyChaos);
  const distinct = new Set(ids);
  assert.equal(distinct.size, events.length, 'every event id delivered at least once');
  assert.ok(ids.length > events.length, 'some events arrived more than once');
  // 10% of 10,000 duplicated and 5% of ~11,000 first attempts failed, within sampling noise.
  assert.ok(stats.duplicated > 800 && stats.duplicated < 1200, `duplicated ${stats.duplicated}`);
  assert.ok(stats.failedAttempts > 400 && stats.failedAttempts < 700, `failed ${stats.failedAttempts}`);
  assert.equal(stats.gaveUp, 0);
  assert.equal(ids.length, events.length + stats.duplicated);
  const first = new Map<string, number>();
  ids.forEach((id, i) => first.has(id) || first.set(id, i));
  const positions = events.map((e) => first.get(e.id) as number);
  const outOfOrder = positions.filter((p, i) => i > 0 && p < (positions[i - 1] as number)).length;
  assert.ok(outOfOrder > 1000, `reordered: ${outOfOrder} inversions`);
});

test('the same seed replays the same faults; another seed does not', async () => {
  const count = (ids: string[]) => {
    const m = new Map<string, number>();
    for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
    return [...m.entries()]
      .filter(([, n]) => n > 1)
      .map(([id]) => id)
      .sort();
  };
  const a = await run(heavyChaos);
  const b = await run(heavyChaos);
  const c = await run({ ...heavyChaos, seed: 7 });
  assert.deepEqual(count(a.ids), count(b.ids));
  assert.equal(a.stats.failedAttempts, b.stats.failedAttempts);
  assert.notDeepEqual(count(a.ids), count(c.ids));
});

test('dropped deliveries never reach the receiver; failFirstAttempts fails every first try', async () => {
  const dropped = await run({ seed: 3, dropRate: 0.2 });
  assert.equal(dropped.ids.length, events.length - dropped.stats.dropped);
  assert.ok(dropped.stats.dropped > 1700 && dropped.stats.dropped < 2300);

  const receiver = inProcessReceiver();
  const dispatcher = createWebhookDispatcher({
    fetch: receiver.fetch,
    endpoints: () => [endpoint],
    chaos: { failFirstAttempts: 2 },
    retry: { baseDelayMs: 1 },
  });
  dispatcher.enqueue(events[0] as DeliverableEvent);
  await dispatcher.idle();
  assert.deepEqual(receiver.ids, ['event_0']);
  assert.equal(dispatcher.stats().attempts, 3);
});

test('the control router reads and changes the switches and rejects bad values', async () => {
  const dispatcher = createWebhookDispatcher({ fetch: inProcessReceiver().fetch, endpoints: () => [] });
  const app = createChaosRouter(dispatcher);
  const put = (body: unknown) =>
    app.request('/', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const ok = await put({ seed: 9, duplicateRate: 0.5, reorderWindow: 10 });
  assert.equal(ok.status, 200);
  assert.deepEqual((await ok.json()).settings, {
    ...dispatcher.chaos(),
    seed: 9,
    duplicateRate: 0.5,
    reorderWindow: 10,
  });

  const bad = await put({ duplicateRate: 2, colour: 'red' });
  assert.equal(bad.status, 422);
  assert.equal((await bad.json()).code, 'invalid_request_parameters');

  const got = await (await app.request('/')).json();
  assert.equal(got.settings.duplicateRate, 0.5);
  assert.equal(got.stats.events, 0);
  assert.deepEqual(got.recent, []);

  const cleared = await (await app.request('/', { method: 'DELETE' })).json();
  assert.equal(cleared.settings.duplicateRate, 0);
  assert.equal(cleared.settings.seed, 9);
});

test('a trickle of events is still shuffled within a window; delays are seeded and bounded', async () => {
  const receiver = inProcessReceiver();
  const dispatcher = createWebhookDispatcher({
    fetch: receiver.fetch,
    endpoints: () => [endpoint],
    chaos: { seed: 11, reorderWindow: 8, reorderHoldMs: 10_000 },
  });
  // One event per turn of the event loop, as a SCIM client produces them; the window fills
  // long before the hold time, so nothing here depends on timing.
  for (const e of events.slice(0, 8)) {
    dispatcher.enqueue(e);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await dispatcher.idle();
  dispatcher.close();
  const sent = events.slice(0, 8).map((e) => e.id);
  assert.deepEqual([...receiver.ids].sort(), [...sent].sort());
  assert.notDeepEqual(receiver.ids, sent);

  const settings = { ...NO_CHAOS, seed: 5, delayMs: 200 };
  const delays = Array.from({ length: 100 }, (_, seq) => delayFor(settings, { seq, endpointId: 'we_1' }, 0));
  assert.ok(delays.every((d) => d >= 0 && d <= 200));
  assert.ok(new Set(delays).size > 50);
  assert.deepEqual(
    delays,
    Array.from({ length: 100 }, (_, seq) => delayFor(settings, { seq, endpointId: 'we_1' }, 0)),
  );
});
