// A rolling upgrade on one PostgreSQL: instance A runs the previous release (from git), B the new
// one, a round-robin load balancer in front. Sign-ins (through /auth/* and the emulator), API calls
// with the session and WorkOS webhooks flow the whole time while B starts (and migrates), joins,
// and A drains and stops. Not one request may fail, and the mirror ends with every change.
// This is what the expand-then-contract rule (docs/operations.md) must keep true.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { HANDLED_EVENT_TYPES } from '../../src/mirror/handlers.ts';
import { startGatehouseProcess, type GatehouseProcess } from '../support/gatehouse-process.ts';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/stores.ts';
import { buildPreviousRelease, resolvePreviousRelease } from './previous-release.ts';

const SECRET = 'rolling-upgrade-secret-0123456789-abcdefgh';
const WEBHOOK_SECRET = 'whsec_rolling_upgrade_0123456789';

/** A round-robin balancer over the live backends; a connection per request, so draining is immediate. */
function startBalancer(): Promise<{ url: string; backends: string[]; errors: string[]; server: Server }> {
  const backends: string[] = [];
  const errors: string[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    const target = new URL(backends[next++ % backends.length]!);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      errors.push(`${req.method} ${req.url}: ${error.message}`);
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, backends, errors, server }),
    ),
  );
}

const skip =
  !TEST_DATABASE_URL && process.env.CI !== 'true'
    ? 'needs TEST_DATABASE_URL (two instances share one PostgreSQL)'
    : false;

describe('rolling upgrade from the previous release', { skip }, () => {
  let emulator: RunningEmulator;
  let lb: Awaited<ReturnType<typeof startBalancer>>;
  let db: { url: string; drop(): Promise<void> };
  let previous: { dir: string; reusedModules: boolean };
  const instances: GatehouseProcess[] = [];

  before(async () => {
    if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is required under CI');
    previous = buildPreviousRelease(resolvePreviousRelease());
    [emulator, lb, db] = await Promise.all([startEmulator(), startBalancer(), createTestDatabase()]);
  });
  after(async () => {
    for (const i of instances) await i.stop();
    await emulator?.close();
    lb?.server.close();
    await db?.drop();
    if (previous) rmSync(previous.dir, { recursive: true, force: true });
  });

  it('serves sign-ins, API calls and webhooks without one failure while A (old) is replaced by B (new)', async () => {
    const env = {
      DATABASE_URL: db.url,
      GATEHOUSE_SECRET: SECRET,
      PUBLIC_URL: lb.url,
      RECONCILE_INTERVAL_SECONDS: '0',
      WORKOS_API_KEY: emulator.apiKey,
      WORKOS_CLIENT_ID: emulator.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emulator.port),
      WORKOS_API_HTTPS: 'false',
      WORKOS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    const a = await startGatehouseProcess(env, 60_000, { cwd: previous.dir });
    instances.push(a);
    lb.backends.push(a.url);
    const registered = await fetch(`${emulator.url}/webhook_endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        endpoint_url: `${lb.url}/webhooks/workos`,
        events: [...HANDLED_EVENT_TYPES],
        secret: WEBHOOK_SECRET,
      }),
    });
    assert.equal(registered.status, 201);

    const failures: string[] = [];
    let rounds = 0;
    let signIns = 0;
    let renames = 0;
    let session = '';
    let lastSignIn = 0;
    const acme = emulator.seed!.organizations.Acme!;
    const grace = emulator.seed!.users['grace@globex.test']!;
    const expect = async (what: string, res: Promise<Response>, status: number) => {
      const r = await res.catch(
        (error: Error) => ({ status: 0, text: async () => error.message }) as unknown as Response,
      );
      if (r.status !== status) failures.push(`${what}: ${r.status} ${(await r.text()).slice(0, 200)}`);
      return r;
    };
    // A full sign-in through the balancer. Paced (one per 1.5 s across both loops): the old release
    // limits /auth/* per peer address, and every request reaches it from the balancer's.
    const signIn = async () => {
      lastSignIn = Date.now();
      const login = await expect('login', fetch(`${lb.url}/auth/login`, { redirect: 'manual' }), 302);
      const location = new URL(login.headers.get('location') ?? 'http://invalid/');
      const state = location.searchParams.get('state');
      const loginCookies = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const minted = await expect(
        'mint code',
        fetch(`${emulator.url}/_emulator/authorization_codes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            user_id: grace,
            redirect_uri: location.searchParams.get('redirect_uri'),
            state,
            code_challenge: location.searchParams.get('code_challenge'),
          }),
        }),
        201,
      );
      const { code } = (await minted.json().catch(() => ({}))) as { code?: string };
      const callback = await expect(
        'callback',
        fetch(`${lb.url}/auth/callback?${new URLSearchParams({ code: code ?? '', state: state ?? '' })}`, {
          headers: { cookie: loginCookies, accept: 'application/json' },
          redirect: 'manual',
        }),
        200,
      );
      session = callback.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .filter((c) => !c!.endsWith('='))
        .join('; ');
      signIns++;
    };
    // One round: maybe a sign-in, API calls with the latest session, a change at WorkOS.
    const round = async () => {
      if (!session || Date.now() - lastSignIn > 1500) await signIn();
      // Two calls, so the session minted on one instance is honoured by the other.
      await expect('api me', fetch(`${lb.url}/api/v1/me`, { headers: { cookie: session } }), 200);
      await expect('api me again', fetch(`${lb.url}/api/v1/me`, { headers: { cookie: session } }), 200);
      await expect(
        'rename at WorkOS',
        fetch(`${emulator.url}/organizations/${acme}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Acme ${++renames}` }),
        }),
        200,
      );
      rounds++;
      await new Promise((r) => setTimeout(r, 50));
    };
    let running = true;
    const traffic = (async () => {
      while (running) await round();
    })();
    const trafficB = (async () => {
      while (running) await round();
    })();
    // Each phase lasts until `n` more sign-ins went through it.
    const atLeast = async (n: number) => {
      const target = signIns + n;
      const deadline = Date.now() + 120_000;
      while (signIns < target && Date.now() < deadline && failures.length === 0)
        await new Promise((r) => setTimeout(r, 50));
    };

    await atLeast(2); // A alone, on the old schema
    const b = await startGatehouseProcess(env, 60_000); // the new release migrates while A serves
    instances.push(b);
    const readyB = await fetch(`${b.url}/readyz`);
    assert.equal(readyB.status, 200);
    const readyA = await fetch(`${a.url}/readyz`);
    assert.equal(readyA.status, 200, 'the old release stays ready on the migrated schema');
    lb.backends.push(b.url);
    await atLeast(3); // both, round-robin
    lb.backends.splice(lb.backends.indexOf(a.url), 1); // drain A, then stop it gracefully
    await a.stop();
    await atLeast(2); // B alone
    running = false;
    await Promise.all([traffic, trafficB]);
    await emulator.webhooks.idle();

    assert.deepEqual(failures, [], 'no request failed');
    assert.deepEqual(lb.errors, [], 'the balancer never met a refused or cut connection');
    const stats = emulator.webhooks.stats();
    assert.equal(stats.failedAttempts, 0, 'every webhook was accepted on its first attempt');
    assert.equal(stats.gaveUp, 0);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const atWorkos = (
        (await (
          await fetch(`${emulator.url}/organizations/${acme}`, {
            headers: { authorization: `Bearer ${emulator.apiKey}` },
          })
        ).json()) as { name: string }
      ).name;
      const { rows } = await client.query('SELECT name FROM organizations WHERE id = $1', [acme]);
      assert.equal(rows[0]?.name, atWorkos, 'the mirror holds the last change');
    } finally {
      await client.end();
    }
    assert.ok(signIns >= 7, `sign-ins: ${signIns}`);
    console.log(
      `# rolling upgrade: ${signIns} sign-ins, ${rounds} rounds of API calls, ${renames} webhooks, ` +
        `previous release modules ${previous.reusedModules ? 'reused' : 'installed'}`,
    );
  });
});
