// A WorkOS outage does not sign anyone out (DESIGN.md §3.4). Gatehouse reaches the emulator
// through a forwarding proxy that the test stops and starts on the same port — a real
// "connection refused", while the emulator keeps its state. Gatehouse's clock is injected and
// moved forward, so the access token runs out and the grace passes without sleeping.
// - With the provider unreachable, a signed-in session keeps reading its pages and API for the
//   whole grace, the failure is recorded once on the session row, and new sign-ins show the
//   try-again page; past the grace the API answers 503.
// - A session revoked at WorkOS during the outage ends when the provider is back and its
//   `session.revoked` event is delivered.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { asSystem } from '../../src/store/tenant.ts';
import { signWebhookPayload } from '../../src/webhooks/signature.ts';
import { startSignInWorld, type SignInWorld } from './harness.ts';
import { callback, mintCode, send, signIn, startLogin } from './in-process.ts';

const GRACE_SECONDS = 3600;
const WEBHOOK_SECRET = 'whsec_provider_outage_test';

/** An HTTP forwarder that can be switched off and on again on the same port. */
async function switchableProxy() {
  let target = '';
  let server: Server | null = null;
  const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length') as [string, string][],
    );
    const upstream = await fetch(target + req.url, { method: req.method!, headers, ...(body.length ? { body } : {}) });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
  const up = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((req, res) => void handler(req, res));
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });
  const port = await up(0);
  return {
    port,
    setTarget: (url: string) => void (target = url),
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server!;
        server = null;
        s.closeAllConnections();
        s.close(() => resolve());
      }),
    start: () => up(port),
  };
}

describe('provider outage', () => {
  let world: SignInWorld;
  let proxy: Awaited<ReturnType<typeof switchableProxy>>;
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;

  before(async () => {
    proxy = await switchableProxy();
    world = await startSignInWorld({
      clock,
      env: {
        WORKOS_API_PORT: String(proxy.port),
        WORKOS_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SESSION_PROVIDER_OUTAGE_GRACE_SECONDS: String(GRACE_SECONDS),
        // Every refresh meets a real "connection refused"; the SDK's retries would only add its
        // backoff (seconds of real time per refresh) before the same failure reaches Gatehouse.
        WORKOS_MAX_RETRIES: '0',
      },
    });
  });
  after(async () => {
    await world?.close();
    await proxy?.stop().catch(() => undefined);
  });

  const status = async (path: string, cookies: Record<string, string>) => {
    const { res } = await send(world, path, { cookies });
    await res.arrayBuffer();
    return res.status;
  };

  test('sessions keep working through the grace; a session revoked at WorkOS meanwhile ends when its event arrives', async () => {
    proxy.setTarget(world.emulator.url);
    const kept = await signIn(world, 'grace@globex.test', 'Globex');
    const revokedMeanwhile = await signIn(world, 'grace@globex.test', 'Globex');
    const orgId = world.org('Globex');
    const pages = ['/api/v1/me', `/admin/orgs/${orgId}/members`];
    for (const cookies of [kept.cookies, revokedMeanwhile.cookies])
      for (const p of pages) assert.equal(await status(p, cookies), 200);

    await proxy.stop();
    offsetMs = 10 * 60_000; // the access tokens have run out: every request now needs a refresh
    const firstFailureAt = clock();
    let reads = 0;
    for (const minutes of [0, 1, 15, 30, 59]) {
      offsetMs = 10 * 60_000 + minutes * 60_000;
      for (const cookies of [kept.cookies, revokedMeanwhile.cookies])
        for (const p of pages) {
          assert.equal(await status(p, cookies), 200, `${p} ${minutes} min into the outage`);
          reads++;
        }
    }
    console.log(
      `provider outage: ${reads} page and API reads over ${GRACE_SECONDS / 60 - 1} minutes with the provider unreachable, all 200`,
    );
    const rows = await asSystem(world.gatehouse.store.db, 'test', (tx) =>
      tx
        .selectFrom('sessions')
        .select(['provider_unreachable_since', 'revoked_at'])
        .where('organization_id', '=', orgId)
        .where('revoked_at', 'is', null)
        .execute(),
    );
    assert.ok(
      rows.length >= 2 &&
        rows.every(
          (r) =>
            r.provider_unreachable_since !== null &&
            Math.abs(r.provider_unreachable_since.getTime() - firstFailureAt) < 60_000,
        ),
    );

    // New sign-ins during the outage get the try-again page, not an error.
    const login = await startLogin(world);
    const code = await mintCode(world, 'grace@globex.test', login, 'Globex');
    const answered = await callback(world, login, { code, state: login.state }, false);
    assert.equal(answered.res.status, 503);
    assert.match(await answered.res.text(), /try again/i);

    // WorkOS revokes one session while we cannot reach it; its event is delivered once it is back.
    const sessionId = Object.values(revokedMeanwhile.cookies)
      .find((v) => v.startsWith('ses_'))!
      .split('.')[0]!;
    const target = await asSystem(world.gatehouse.store.db, 'test', (tx) =>
      tx
        .selectFrom('sessions')
        .select(['id', 'workos_session_id'])
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow(),
    );
    const revoke = await fetch(`${world.emulator.url}/user_management/sessions/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
      body: JSON.stringify({ session_id: target.workos_session_id }),
    });
    assert.ok(revoke.ok, await revoke.text());
    await proxy.start();
    const events = (await (
      await fetch(`${world.emulator.url}/events?events=session.revoked&limit=100`, {
        headers: { authorization: `Bearer ${world.emulator.apiKey}` },
      })
    ).json()) as { data: { id: string; data: { id: string } }[] };
    const event = events.data.find((e) => e.data.id === target.workos_session_id);
    assert.ok(event, 'the emulator recorded session.revoked');
    const body = JSON.stringify(event);
    const delivered = await world.gatehouse.app.request('/webhooks/workos', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'workos-signature': signWebhookPayload(body, WEBHOOK_SECRET) },
      body,
    });
    assert.equal(delivered.status, 200);
    const cookiesOf = revokedMeanwhile.cookies;
    let ended = 0;
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      ended = await status('/api/v1/me', cookiesOf);
      if (ended === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(ended, 401, 'the session revoked at WorkOS ended when its event arrived');
    const ending = await asSystem(world.gatehouse.store.db, 'test', (tx) =>
      tx.selectFrom('sessions').select(['revoked_reason']).where('id', '=', target.id).executeTakeFirstOrThrow(),
    );
    assert.equal(ending.revoked_reason, 'provider_session_revoked');
    assert.equal(await status('/api/v1/me', kept.cookies), 200, 'the other session is untouched');
  });

  test('past the grace, a session whose provider is still unreachable answers 503', async () => {
    proxy.setTarget(world.emulator.url);
    const { cookies } = await signIn(world, 'grace@globex.test', 'Globex');
    assert.equal(await status('/api/v1/me', cookies), 200);
    await proxy.stop();
    offsetMs += 10 * 60_000;
    assert.equal(await status('/api/v1/me', cookies), 200, 'first failure: the grace starts');
    offsetMs += GRACE_SECONDS * 1000 + 60_000;
    assert.equal(await status('/api/v1/me', cookies), 503, 'the grace is bounded');
    await proxy.start();
  });
});
