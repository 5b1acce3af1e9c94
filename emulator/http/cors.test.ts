import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import { createEmulatorApp } from './app.ts';
import { createFaultHooks } from './faults.ts';
import { addCorsOrigin, normalizeOrigin, setCorsOrigins } from '../services/cors-origins.ts';

async function app() {
  const world = createWorld();
  const ctx = {
    world,
    keys: await openSigningKeys(),
    config: { apiKey: 'sk_test_k', clientId: 'client_c', baseUrl: 'http://emu' },
  };
  return { world, app: createEmulatorApp(ctx, { faults: createFaultHooks() }) };
}

const preflight = (origin: string, path = '/user_management/authenticate') => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  path,
});

test('an allowed origin gets its preflight and its responses answered with credentials; others get nothing', async () => {
  const { world, app: emu } = await app();
  addCorsOrigin(world, 'http://localhost:5173');
  const ok = await emu.request('/user_management/authenticate', preflight('http://localhost:5173'));
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(ok.headers.get('access-control-allow-headers'), 'content-type');
  assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);

  const foreign = await emu.request('/user_management/authenticate', preflight('http://evil.test'));
  assert.equal(foreign.status, 204);
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);

  const response = await emu.request('/user_management/authenticate', {
    method: 'POST',
    headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'client_c', refresh_token: 'nope' }),
  });
  assert.equal(response.status, 400, 'the route still answers (an invalid grant here)');
  assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.match(response.headers.get('vary') ?? '', /Origin/);
  assert.equal(
    (await emu.request('/organizations', { headers: { origin: 'http://evil.test' } })).headers.get(
      'access-control-allow-origin',
    ),
    null,
  );

  const control = await emu.request('/_emulator/state', preflight('http://localhost:5173', '/_emulator/state'));
  assert.equal(
    control.headers.get('access-control-allow-origin'),
    null,
    'the control surface is never offered to pages',
  );
});

test('origins are scheme://host[:port]; the control list replaces them all or changes nothing', async () => {
  assert.equal(normalizeOrigin('https://app.example.com/'), 'https://app.example.com');
  assert.equal(normalizeOrigin('http://127.0.0.1:3000'), 'http://127.0.0.1:3000');
  for (const bad of ['app.example.com', 'https://app.example.com/path', 'ftp://x.test', 'https://a.test?x=1', '*']) {
    assert.equal(normalizeOrigin(bad), null, bad);
  }
  const { world, app: emu } = await app();
  const auth = { authorization: 'Bearer sk_test_k', 'content-type': 'application/json' };
  const put = (origins: unknown) =>
    emu.request('/_emulator/cors_origins', { method: 'PUT', headers: auth, body: JSON.stringify({ origins }) });
  assert.equal((await put(['http://a.test', 'http://b.test:8080'])).status, 200);
  assert.equal((await put(['http://c.test', 'not an origin'])).status, 422);
  assert.deepEqual(
    [...world.corsOrigins.values()].map((o) => o.origin),
    ['http://a.test', 'http://b.test:8080'],
  );
  setCorsOrigins(world, []);
  const created = await emu.request('/user_management/cors_origins', {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ origin: 'https://x.test' }),
  });
  assert.equal(created.status, 201);
  const dup = await emu.request('/user_management/cors_origins', {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ origin: 'https://x.test/' }),
  });
  assert.equal(dup.status, 409);
  assert.equal(((await dup.json()) as { code: string }).code, 'duplicate_cors_origin');
});

test('an unknown path is 404 with or without a key; a known one needs the key; the favicon is no error', async () => {
  const { app: emu } = await app();
  assert.equal((await emu.request('/nope/nothing')).status, 404);
  assert.equal((await emu.request('/organizations/org_1/nothing', { method: 'POST' })).status, 404);
  assert.equal((await emu.request('/organizations/org_1')).status, 401);
  assert.equal((await emu.request('/user_management/users/user_1/identities')).status, 401);
  assert.equal(
    (await emu.request('/organizations/org_1', { headers: { authorization: 'Bearer sk_test_k' } })).status,
    404,
  );
  assert.equal((await emu.request('/favicon.ico')).status, 204);
});
