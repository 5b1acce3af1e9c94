// Two `gatehouse serve` processes on one PostgreSQL, in front of the emulator (PostgreSQL only:
// locks and LISTEN/NOTIFY across processes are the point).
// - Refresh race: 20 concurrent requests, all with an expired access token → exactly one refresh
//   call reaches the emulator (counted at a proxy in front of it), and all 20 succeed.
// - Revocation: a session revoked through another instance is refused by a process that had it
//   cached, well within 1 s; the measured delay is printed.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { openStore, type Store } from '../store/store.ts';
import { asSystem, inTenant } from '../store/tenant.ts';
import { createTestDatabase } from '../../test/support/stores.ts';
import { requirePostgres } from '../../test/support/requirements.ts';
import { TEST_SECRET } from '../../test/support/access-fixtures.ts';
import { mirrorEmulator, signInThroughEmulator } from '../../test/support/emulator-sign-in.ts';
import { startGatehouseProcess, type GatehouseProcess } from '../../test/support/gatehouse-process.ts';
import { createAccessVerifier } from '../access/access-verifier.ts';
import { createApiKey } from '../access/api-keys.ts';
import { createSessionService } from './session-service.ts';
import { createPermissionCatalogue } from '../core/permission-catalogue.ts';

/** Forwards everything to the emulator, counting (and slowing) refresh grants on the way. */
function countingProxy(target: string): Promise<{ server: Server; url: string; refreshCalls: () => number }> {
  let refreshes = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (
      req.method === 'POST' &&
      req.url === '/user_management/authenticate' &&
      body.toString().includes('"refresh_token"')
    ) {
      refreshes++;
      // A slow provider widens the race: every other request arrives while this refresh is in flight.
      await new Promise((r) => setTimeout(r, 300));
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length') as [string, string][],
    );
    const upstream = await fetch(target + req.url, { method: req.method!, headers, ...(body.length ? { body } : {}) });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        refreshCalls: () => refreshes,
      }),
    ),
  );
}

describe('two server processes on one PostgreSQL', {
  skip: requirePostgres('the multi-instance tests need PostgreSQL'),
}, () => {
  let emulator: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let servers: GatehouseProcess[] = [];
  const config = {
    PUBLIC_URL: 'http://127.0.0.1:3000',
    SESSION_IDLE_TIMEOUT_SECONDS: 3600,
    SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
  };

  before(async () => {
    [emulator, database] = await Promise.all([startEmulator(), createTestDatabase()]);
    proxy = await countingProxy(emulator.url);
    store = await openStore({ engine: 'postgres', url: database.url, poolSize: 4 });
    await mirrorEmulator(store.db, emulator);
    const port = new URL(proxy.url).port;
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '10',
      GATEHOUSE_SECRET: TEST_SECRET,
      PUBLIC_URL: config.PUBLIC_URL,
      WORKOS_WEBHOOK_SECRET: 'whsec_multi_instance_test',
      RECONCILE_INTERVAL_SECONDS: '0',
      WORKOS_API_KEY: emulator.apiKey,
      WORKOS_CLIENT_ID: emulator.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: port,
      WORKOS_API_HTTPS: 'false',
    };
    servers = await Promise.all([startGatehouseProcess(env), startGatehouseProcess(env)]);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await store?.close();
    await database?.drop();
    proxy?.server.close();
    await emulator?.close();
  });

  async function newSession() {
    const grace = await signInThroughEmulator(emulator, 'grace@globex.test', 'Globex');
    const sessions = createSessionService({ db: store.db, secrets: [TEST_SECRET], config });
    const created = await inTenant(store.db, grace.organizationId, (tx) =>
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
    return { ...created, sessions, grace };
  }

  const me = (server: GatehouseProcess, cookieValue: string) =>
    fetch(`${server.url}/api/v1/me`, { headers: { cookie: `gatehouse_session=${cookieValue}` } });

  it('refresh race: 20 concurrent requests with an expired access token cause exactly one refresh, and all succeed', async () => {
    const { sessionId, cookieValue } = await newSession();
    // The access token is spent: every request must get a new one before it may proceed.
    await asSystem(store.db, 'test', (tx) =>
      tx
        .updateTable('sessions')
        .set({ access_token_expires_at: new Date(Date.now() - 60_000) })
        .where('id', '=', sessionId)
        .execute(),
    );
    const before = proxy.refreshCalls();
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => me(servers[i % 2]!, cookieValue)));
    const statuses = responses.map((r) => r.status);
    const refreshes = proxy.refreshCalls() - before;
    console.log(
      `refresh race: 20 requests over 2 processes → statuses ${JSON.stringify([...new Set(statuses)])}, refresh calls at the emulator: ${refreshes}`,
    );
    assert.deepEqual(statuses, Array(20).fill(200));
    assert.equal(refreshes, 1);
    const row = await asSystem(store.db, 'test', (tx) =>
      tx
        .selectFrom('sessions')
        .select(['access_token_expires_at', 'revoked_at'])
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow(),
    );
    assert.equal(row.revoked_at, null);
    assert.ok(row.access_token_expires_at!.getTime() > Date.now() + 60_000);
  });

  it('revocation through one process is refused by the other within 1 s', async () => {
    const { sessionId, cookieValue, sessions, grace } = await newSession();
    // An admin's API key revokes through process A's API; process B had the session cached.
    const admin = await createAccessVerifier({ db: store.db, sessions }).verifyCredential({ cookie: cookieValue });
    const { secret } = await inTenant(store.db, grace.organizationId, (tx) =>
      createApiKey(tx, {
        catalogue: createPermissionCatalogue(),
        creator: admin,
        name: 'ops',
        role: 'admin',
        ownership: 'organization',
      }),
    );
    for (const server of servers) assert.equal((await me(server, cookieValue)).status, 200);
    const started = performance.now();
    const revoked = await fetch(
      `${servers[0]!.url}/api/v1/organizations/${grace.organizationId}/sessions/${sessionId}`,
      { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } },
    );
    assert.equal(revoked.status, 204);
    let delay = -1;
    while (performance.now() - started < 5000) {
      const res = await me(servers[1]!, cookieValue);
      if (res.status === 401) {
        delay = performance.now() - started;
        assert.equal(((await res.json()) as { code: string }).code, 'SESSION_REVOKED');
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    console.log(`revocation: revoked through process A, refused by process B after ${delay.toFixed(1)} ms`);
    assert.ok(delay >= 0 && delay < 1000, `refused after ${delay} ms`);
  });
});
