// The client address behind proxies: forged, trusted and untrusted X-Forwarded-For through the real
// middleware chain (app.request with a Node-like socket in env), then a property over generated
// proxy chains: nothing a client writes into the header can change the address we record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Hono } from 'hono';
import { parseCidrList } from '../core/cidr.ts';
import { parseConfig, ConfigError } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createErrorHandler } from './error-handler.ts';
import { clientAddress, clientAddressOf, resolveClientAddress } from './client-address.ts';
import { rateLimit } from './middleware/rate-limit.ts';

const socket = (remoteAddress: string) => ({
  incoming: {
    socket: { remoteAddress, remotePort: 40000, remoteFamily: remoteAddress.includes(':') ? 'IPv6' : 'IPv4' },
  },
});

function appTrusting(trusted: string | undefined) {
  const app = new Hono();
  app.use(clientAddress({ trustedProxies: trusted === undefined ? undefined : parseCidrList(trusted) }));
  app.get('/who', (c) => c.text(clientAddressOf(c)));
  return app;
}

test('X-Forwarded-For is believed only through trusted hops, right to left', async () => {
  const lb = '10.0.0.0/8, 2001:db8::/32';
  const cases: Array<
    [trusted: string | undefined, peer: string, xff: string | undefined, expected: string, why: string]
  > = [
    [undefined, '203.0.113.9', '198.51.100.1', '203.0.113.9', 'no trusted proxies: the header is ignored'],
    [lb, '203.0.113.9', '198.51.100.1', '203.0.113.9', 'untrusted peer: its header is a forgery'],
    [lb, '10.0.0.2', '198.51.100.1', '198.51.100.1', 'trusted load balancer names the client'],
    [lb, '10.0.0.2', '6.6.6.6, 198.51.100.1', '198.51.100.1', 'a forged left part is never reached'],
    [lb, '10.0.0.2', '6.6.6.6, 198.51.100.1, 10.1.1.1', '198.51.100.1', 'two trusted hops are walked'],
    [lb, '10.0.0.2', '10.9.9.9', '10.9.9.9', 'all hops trusted: the leftmost known'],
    [lb, '10.0.0.2', undefined, '10.0.0.2', 'trusted peer without header: the peer'],
    [lb, '10.0.0.2', 'not-an-ip', '10.0.0.2', 'garbage stops at the last good address'],
    [lb, '10.0.0.2', '198.51.100.1, garbage', '10.0.0.2', 'garbage right of the client stops the walk'],
    [lb, '::ffff:10.0.0.2', '198.51.100.1', '198.51.100.1', 'IPv4-mapped peer is the IPv4 address'],
    [lb, '2001:db8::1', '2001:db8::2, 2a00::7', '2a00::7', 'IPv6 hops'],
    [lb, '10.0.0.2', '[2a00::7]', '2a00::7', 'bracketed IPv6 entry'],
    ['10.0.0.2', '10.0.0.3', '198.51.100.1', '10.0.0.3', 'a single-host range trusts only that host'],
  ];
  for (const [trusted, peer, xff, expected, why] of cases) {
    const res = await appTrusting(trusted).request(
      '/who',
      { headers: xff === undefined ? {} : { 'x-forwarded-for': xff } },
      socket(peer),
    );
    assert.equal(await res.text(), expected, why);
  }
  // In-process requests (no socket) have no peer; a header alone never makes one up.
  assert.equal(
    await (await appTrusting(lb).request('/who', { headers: { 'x-forwarded-for': '1.2.3.4' } })).text(),
    'unknown',
  );
});

test('rate limits count the forwarded client, not the load balancer, and not a forged header', async () => {
  const app = new Hono();
  app.use(clientAddress({ trustedProxies: parseCidrList('10.0.0.0/8') }));
  app.use(rateLimit({ burst: 2, perMinute: 1, clock: () => 0 }));
  app.get('/auth/login', (c) => c.text('ok'));
  app.onError(createErrorHandler(createLogger('silent')));
  const viaLb = (client: string, forged = '') =>
    app.request('/auth/login', { headers: { 'x-forwarded-for': `${forged}${client}` } }, socket('10.0.0.5'));
  assert.deepEqual(
    [(await viaLb('198.51.100.1')).status, (await viaLb('198.51.100.1')).status, (await viaLb('198.51.100.1')).status],
    [200, 200, 429],
  );
  assert.equal((await viaLb('198.51.100.2')).status, 200, 'another client behind the same balancer has its own bucket');
  assert.equal((await viaLb('198.51.100.1', '7.7.7.7, ')).status, 429, 'a forged left entry does not buy a new bucket');
});

test('TRUSTED_PROXIES is validated at start with one line naming it', () => {
  assert.deepEqual(parseConfig({ TRUSTED_PROXIES: '10.0.0.0/8, ::1' }).TRUSTED_PROXIES?.ranges, [
    '10.0.0.0/8',
    '::1/128',
  ]);
  for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '10.0.0.0/']) {
    assert.throws(
      () => parseConfig({ TRUSTED_PROXIES: bad }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'TRUSTED_PROXIES',
      bad,
    );
  }
});

test('property: whatever a client prepends, the recorded address is the first untrusted hop', () => {
  const trusted = parseCidrList('10.0.0.0/8');
  const publicV4 = fc
    .tuple(fc.integer({ min: 11, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255))
    .map((p) => p.join('.'));
  const internal = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => `10.${p.join('.')}`);
  const forged = fc.array(
    fc.oneof(
      publicV4,
      internal,
      fc.string({ maxLength: 12 }).filter((s) => !s.includes(',')),
    ),
    { maxLength: 5 },
  );
  fc.assert(
    fc.property(publicV4, fc.array(internal, { maxLength: 4 }), internal, forged, (client, hops, peer, prefix) => {
      // The client sends `prefix`; its first proxy appends the client; each further trusted hop
      // appends the previous one.
      const xff = [...prefix, client, ...hops].join(', ');
      assert.equal(resolveClientAddress(peer, xff, trusted), client);
      // An untrusted peer is the client, whatever the header says.
      assert.equal(resolveClientAddress(client, xff, trusted), client);
      assert.equal(resolveClientAddress(peer, xff, undefined), peer);
    }),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: Number(process.env.PROPERTY_SEED ?? 20261130) },
  );
});
