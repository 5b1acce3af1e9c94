import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkOS } from '@workos-inc/node';
import { createWebhookDispatcher, type DeliverableEvent, type DeliveryEndpoint } from './dispatcher.ts';

// A tiny real HTTP receiver: records raw bodies and signature headers, answers the status the
// test scripts for the n-th request.
async function openReceiver(statusFor: (n: number) => number = () => 200) {
  const received: { body: string; signature: string }[] = [];
  let n = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const status = statusFor(n++);
    if (status < 300)
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['workos-signature']),
      });
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const directoryUser = {
  object: 'directory_user',
  id: 'directory_user_01',
  directory_id: 'directory_01',
  organization_id: 'org_01',
  idp_id: '00u1',
  email: 'ana@acme.test',
  first_name: 'Ana',
  last_name: 'Lima',
  state: 'active',
  raw_attributes: {},
  custom_attributes: {},
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

function event(i: number, type = 'dsync.user.created'): DeliverableEvent {
  return {
    id: `event_${String(i).padStart(6, '0')}`,
    event: type,
    data: { ...directoryUser, first_name: `Ana ✓ ${i}` },
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  };
}

const sdk = new WorkOS('sk_test_emulator', { apiHostname: '127.0.0.1', https: false });

test('every delivery verifies with the SDK and a changed byte is rejected', async (t) => {
  const receiver = await openReceiver();
  t.after(receiver.close);
  const endpoint: DeliveryEndpoint = {
    id: 'we_1',
    endpoint_url: receiver.url,
    secret: 'whsec_test_secret',
    status: 'enabled',
    events: [],
  };
  const dispatcher = createWebhookDispatcher({ fetch: globalThis.fetch, endpoints: () => [endpoint], concurrency: 1 });
  t.after(() => dispatcher.close());
  for (let i = 0; i < 5; i++) dispatcher.enqueue(event(i));
  await dispatcher.idle();

  assert.equal(receiver.received.length, 5);
  // Without faults a single-lane dispatcher delivers in emission order.
  assert.deepEqual(
    receiver.received.map((r) => JSON.parse(r.body).id),
    [0, 1, 2, 3, 4].map((i) => event(i).id),
  );
  for (const { body, signature } of receiver.received) {
    assert.match(signature, /^t=\d{13}, v1=[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(JSON.parse(body)), ['id', 'event', 'data', 'created_at']);
    const verified = await sdk.webhooks.constructEvent({
      payload: JSON.parse(body),
      sigHeader: signature,
      secret: endpoint.secret,
    });
    assert.equal(verified.event, 'dsync.user.created');
    assert.equal((verified.data as { email: string }).email, 'ana@acme.test');
  }
  const first = receiver.received[0];
  assert.ok(first);
  const at = first.body.indexOf('Ana');
  const tampered = `${first.body.slice(0, at)}Anb${first.body.slice(at + 3)}`;
  await assert.rejects(
    sdk.webhooks.constructEvent({ payload: JSON.parse(tampered), sigHeader: first.signature, secret: endpoint.secret }),
    /Signature hash does not match/,
  );
  await assert.rejects(
    sdk.webhooks.constructEvent({ payload: JSON.parse(first.body), sigHeader: first.signature, secret: 'whsec_other' }),
    /Signature hash does not match/,
  );
});

test('non-2xx answers are retried with backoff until accepted', async (t) => {
  const receiver = await openReceiver((n) => (n < 2 ? 503 : 200));
  t.after(receiver.close);
  const endpoint: DeliveryEndpoint = {
    id: 'we_1',
    endpoint_url: receiver.url,
    secret: 's',
    status: 'enabled',
    events: [],
  };
  const dispatcher = createWebhookDispatcher({
    fetch: globalThis.fetch,
    endpoints: () => [endpoint],
    retry: { baseDelayMs: 2, factor: 2, maxAttempts: 5 },
  });
  t.after(() => dispatcher.close());
  dispatcher.enqueue(event(1));
  await dispatcher.idle();
  assert.equal(receiver.received.length, 1);
  const stats = dispatcher.stats();
  assert.deepEqual(
    dispatcher.recent().map((r) => [r.attempt, r.outcome, r.status]),
    [
      [1, 'failed', 503],
      [2, 'failed', 503],
      [3, 'delivered', 200],
    ],
  );
  assert.equal(stats.attempts, 3);
  assert.equal(stats.failedAttempts, 2);
  assert.equal(stats.delivered, 1);
});

test('a delivery that never succeeds gives up after maxAttempts; a hung receiver times out', async (t) => {
  let calls = 0;
  const hang: typeof fetch = (_url, init) => {
    calls++;
    return new Promise((_resolve, reject) =>
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
    );
  };
  const endpoint: DeliveryEndpoint = {
    id: 'we_1',
    endpoint_url: 'http://receiver.invalid/',
    secret: 's',
    status: 'enabled',
    events: [],
  };
  const dispatcher = createWebhookDispatcher({
    fetch: hang,
    endpoints: () => [endpoint],
    retry: { baseDelayMs: 1, maxAttempts: 3, timeoutMs: 5 },
  });
  t.after(() => dispatcher.close());
  dispatcher.enqueue(event(1));
  await dispatcher.idle();
  assert.equal(calls, 3);
  assert.equal(dispatcher.stats().gaveUp, 1);
});

test('only enabled endpoints subscribed to the event type receive it', async (t) => {
  const seen: string[] = [];
  const record: typeof fetch = async (url) => {
    seen.push(String(url));
    return new Response(null, { status: 204 });
  };
  const endpoints: DeliveryEndpoint[] = [
    { id: 'we_all', endpoint_url: 'http://a/', secret: 's', status: 'enabled', events: [] },
    { id: 'we_users', endpoint_url: 'http://users/', secret: 's', status: 'enabled', events: ['dsync.user.created'] },
    { id: 'we_off', endpoint_url: 'http://off/', secret: 's', status: 'disabled', events: [] },
  ];
  const dispatcher = createWebhookDispatcher({ fetch: record, endpoints: () => endpoints });
  t.after(() => dispatcher.close());
  dispatcher.enqueue(event(1, 'dsync.user.created'));
  dispatcher.enqueue(event(2, 'dsync.group.created'));
  await dispatcher.idle();
  assert.deepEqual(seen.sort(), ['http://a/', 'http://a/', 'http://users/']);
});

test('the options are checked up front', () => {
  assert.throws(
    () => createWebhookDispatcher({ fetch: 'fetch' as unknown as typeof fetch, endpoints: () => [] }),
    TypeError,
  );
});
