// Access: what verifying a credential costs, each pair measured in the same run.
// 1. HTTP requests/s (autocannon in its own process, -c 50) of one route left open beside the same
//    route behind requireAuth, for a session cookie, an API key and a WorkOS access token
//    (verified contexts cached, as in production).
// 2. In-process AuthContext resolutions/s for our session cookie (cached, and uncached: a store
//    read per resolution) beside the official SDK's loadSealedSession().authenticate() on an
//    equivalent sealed WorkOS session (unseal + JWT verify), the path AuthKit apps run per request.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../emulator/index.ts';
import { createAccessVerifier } from '../src/access/access-verifier.ts';
import { createApiKey } from '../src/access/api-keys.ts';
import { authOf, provideAccess, requireAuth } from '../src/http/middleware/require-auth.ts';
import { createSessionService } from '../src/sessions/session-service.ts';
import { openStore, type StoreLocation } from '../src/store/store.ts';
import { inTenant } from '../src/store/tenant.ts';
import { mirrorEmulator, sdkFor, signInThroughEmulator } from '../test/support/emulator-sign-in.ts';
import { opsPerSecond, row } from './support.ts';
import { createPermissionCatalogue } from '../src/core/permission-catalogue.ts';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const COOKIE_PASSWORD = 'bench-cookie-password-at-least-32-characters';

/** autocannon in a child process, asynchronously: the server under test runs in this event loop. */
async function autocannon(url: string, headers: Record<string, string>, seconds = 4): Promise<number> {
  const args = ['node_modules/autocannon/autocannon.js', '-c', '50', '-d', String(seconds), '-j'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const out = JSON.parse(stdout) as { requests: { average: number }; non2xx: number };
  if (out.non2xx > 0) throw new Error(`bench: ${out.non2xx} non-2xx answers from ${url}`);
  return out.requests.average;
}

export async function accessBench(postgresUrl: string | undefined): Promise<string[]> {
  const out = ['access: protected route beside the same route open (HTTP, autocannon -c 50, contexts cached)'];
  const location: StoreLocation = postgresUrl
    ? { engine: 'postgres', url: postgresUrl, poolSize: 10 }
    : { engine: 'pglite' };
  const [store, emulator] = await Promise.all([openStore(location), startEmulator()]);
  const config = {
    PUBLIC_URL: 'http://127.0.0.1',
    SESSION_IDLE_TIMEOUT_SECONDS: 3600,
    SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
  };
  let server: ReturnType<typeof serve> | undefined;
  try {
    await mirrorEmulator(store.db, emulator);
    const grace = await signInThroughEmulator(emulator, 'grace@globex.test', 'Globex', { sealWith: COOKIE_PASSWORD });
    const sessions = createSessionService({ db: store.db, secrets: [SECRET], config });
    const { cookieValue } = await inTenant(store.db, grace.organizationId, (tx) =>
      sessions.create(tx, {
        organizationId: grace.organizationId,
        userId: grace.userId,
        authMethod: 'password',
        role: 'admin',
        workosSessionId: grace.workosSessionId,
        accessToken: grace.accessToken,
        refreshToken: grace.refreshToken,
      }),
    );
    const verifier = createAccessVerifier({
      db: store.db,
      sessions,
      workos: { apiBaseUrl: emulator.url, clientId: emulator.clientId },
    });
    const creator = await verifier.verifyCredential({ cookie: cookieValue });
    const { secret: apiKey } = await inTenant(store.db, grace.organizationId, (tx) =>
      createApiKey(tx, {
        catalogue: createPermissionCatalogue(),
        creator,
        name: 'bench',
        role: 'member',
        ownership: 'organization',
      }),
    );

    const app = new Hono();
    app.use(provideAccess(verifier));
    app.get('/open', (c) => c.json({ ok: true }));
    app.get('/protected', requireAuth(), (c) => c.json({ ok: true, org: authOf(c).organizationId }));
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const routes: [string, string, Record<string, string>][] = [
      ['protected: session cookie', '/protected', { cookie: `gatehouse_session=${cookieValue}` }],
      ['protected: API key', '/protected', { authorization: `Bearer ${apiKey}` }],
      ['protected: WorkOS access token (RS256)', '/protected', { authorization: `Bearer ${grace.accessToken}` }],
    ];
    for (const [, path, headers] of [['', '/open', {}] as const, ...routes])
      await autocannon(`${base}${path}`, headers, 1); // warm up
    // The open route is measured before and after; the baseline is their mean (shared cores are noisy).
    const openBefore = await autocannon(`${base}/open`, {});
    const protectedRates = [];
    for (const [label, path, headers] of routes)
      protectedRates.push([label, await autocannon(`${base}${path}`, headers)] as const);
    const open = (openBefore + (await autocannon(`${base}/open`, {}))) / 2;
    out.push(row('open route (mean of a run before and after)', open, 'req/s'));
    for (const [label, rate] of protectedRates) out.push(row(label, rate, 'req/s', open));

    out.push('access: AuthContext resolutions in process (1 caller)');
    const workos = sdkFor(emulator);
    const sealed = workos.userManagement.loadSealedSession({
      sessionData: grace.sealedSession!,
      cookiePassword: COOKIE_PASSWORD,
    });
    const check = await sealed.authenticate();
    if (!check.authenticated) throw new Error(`bench: the SDK refused its own sealed session: ${check.reason}`);
    const sdk = await opsPerSecond(3000, 1, () =>
      workos.userManagement
        .loadSealedSession({ sessionData: grace.sealedSession!, cookiePassword: COOKIE_PASSWORD })
        .authenticate(),
    );
    out.push(row('SDK loadSealedSession().authenticate() (sealed cookie)', sdk, 'ops/s'));
    const cached = await opsPerSecond(200_000, 1, () => verifier.verifyCredential({ cookie: cookieValue }));
    out.push(row('Gatehouse session cookie, cached context', cached, 'ops/s', sdk));
    const uncached = await opsPerSecond(postgresUrl ? 2000 : 1000, 1, () => {
      verifier.cache.clear();
      return verifier.verifyCredential({ cookie: cookieValue });
    });
    out.push(
      row(
        `Gatehouse session cookie, uncached (${postgresUrl ? 'PostgreSQL' : 'PGlite'} reads)`,
        uncached,
        'ops/s',
        sdk,
      ),
    );
    verifier.close();
  } finally {
    server?.close();
    (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
    await emulator.close();
    await store.close();
  }
  return out;
}
