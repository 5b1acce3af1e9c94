import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWebhookDispatcher,
  DEFAULT_CONCURRENCY,
  type DeliverableEvent,
  type DeliveryEndpoint,
} from './dispatcher.ts';

// Parallel delivery, measured at a real receiver: it counts the requests it holds unanswered at
// once and answers only when told to, so the maximum it saw is the dispatcher's real concurrency,
// whatever the machine's speed. Nothing waits on a fixed delay; a dispatcher that sent fewer at
// once than asserted would leave the receiver waiting and fail on the test's timeout.

/**
 * Holds every request unanswered; `releaseWhen(held)` decides when all held requests are
 * answered. The held count can only be what the dispatcher has in flight at that moment.
 */
async function openGatedReceiver(releaseWhen: (held: number) => boolean) {
  const held: ServerResponse[] = [];
  let maxHeld = 0;
  let received = 0;
  const release = () => {
    for (const res of held.splice(0)) res.writeHead(200).end();
  };
  const server = createServer(async (req, res) => {
    for await (const _ of req);
    received++;
    held.push(res);
    maxHeld = Math.max(maxHeld, held.length);
    // Answered a couple of event-loop turns later, so requests a dispatcher sent beyond its bound
    // would arrive first and show in the count; a bounded one has nothing more to send until then.
    if (releaseWhen(held.length)) setImmediate(() => setImmediate(release));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    maxOpen: () => maxHeld,
    received: () => received,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function event(i: number): DeliverableEvent {
  return {
    id: `event_${String(i).padStart(6, '0')}`,
    event: 'dsync.user.created',
    data: { id: `directory_user_${i}`, organization_id: 'org_01' },
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  };
}

function endpoint(id: string, url: string): DeliveryEndpoint {
  return { id, endpoint_url: url, secret: 'whsec_test', status: 'enabled', events: [] };
}

test('by default deliveries go out in parallel, never more than the bound at once', { timeout: 30_000 }, async (t) => {
  const lanes = DEFAULT_CONCURRENCY;
  assert.ok(lanes > 1, 'the default is parallel');
  // Answers a full set of `lanes` requests at once: reaching it proves they were all in flight
  // together, and the count never exceeding it proves the bound.
  const receiver = await openGatedReceiver((held) => held === lanes);
  t.after(receiver.close);
  // The default transport (node:http, kept alive) and the default bound.
  const dispatcher = createWebhookDispatcher({ endpoints: () => [endpoint('we_1', receiver.url)] });
  t.after(() => dispatcher.close());
  for (let i = 0; i < lanes * 4; i++) dispatcher.enqueue(event(i));
  await dispatcher.idle();
  assert.equal(receiver.received(), lanes * 4);
  assert.equal(receiver.maxOpen(), lanes);
  assert.equal(dispatcher.stats().delivered, lanes * 4);
});

test('the bound is the configured concurrency', { timeout: 30_000 }, async (t) => {
  const receiver = await openGatedReceiver((held) => held === 3);
  t.after(receiver.close);
  const dispatcher = createWebhookDispatcher({
    fetch: globalThis.fetch,
    endpoints: () => [endpoint('we_1', receiver.url)],
    concurrency: 3,
  });
  t.after(() => dispatcher.close());
  for (let i = 0; i < 12; i++) dispatcher.enqueue(event(i));
  await dispatcher.idle();
  assert.equal(receiver.maxOpen(), 3);
});

test('a receiver that does not answer holds back only its own endpoint', { timeout: 30_000 }, async (t) => {
  // `stuck` answers nothing until the end; `quick` answers every request at once.
  const stuck = await openGatedReceiver(() => false);
  const quick = await openGatedReceiver(() => true);
  t.after(stuck.close);
  t.after(quick.close);
  const endpoints = [endpoint('we_stuck', stuck.url), endpoint('we_quick', quick.url)];
  const dispatcher = createWebhookDispatcher({ endpoints: () => endpoints, concurrency: 2 });
  t.after(() => dispatcher.close());
  const total = 20;
  for (let i = 0; i < total; i++) dispatcher.enqueue(event(i));
  // The quick endpoint receives everything while the stuck one holds its first two deliveries.
  const deadline = Date.now() + 20_000;
  while (quick.received() < total && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.equal(quick.received(), total);
  assert.equal(stuck.received(), 2);
  assert.equal(stuck.maxOpen(), 2);
  // Answering the stuck receiver lets the rest of its deliveries through, two at a time.
  const drained = dispatcher.idle();
  while (stuck.received() < total && Date.now() < deadline) {
    stuck.release();
    await new Promise((r) => setImmediate(r));
  }
  stuck.release();
  await drained;
  assert.equal(stuck.received(), total);
  assert.equal(stuck.maxOpen(), 2);
});

test('the default transport gives up on a receiver that never answers', { timeout: 30_000 }, async (t) => {
  const silent = await openGatedReceiver(() => false);
  t.after(silent.close);
  const dispatcher = createWebhookDispatcher({
    endpoints: () => [endpoint('we_1', silent.url)],
    retry: { maxAttempts: 2, baseDelayMs: 1, timeoutMs: 100 },
  });
  t.after(() => dispatcher.close());
  dispatcher.enqueue(event(1));
  await dispatcher.idle();
  assert.equal(silent.received(), 2);
  assert.deepEqual(
    dispatcher.recent().map((a) => [a.attempt, a.outcome, a.status]),
    [
      [1, 'failed', null],
      [2, 'failed', null],
    ],
  );
  assert.equal(dispatcher.stats().gaveUp, 1);
});
