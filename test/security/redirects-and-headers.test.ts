// Through the real routes, in process against the emulator:
// - hostile `returnTo` values at sign-in and organization switch, and hostile admin-portal
//   `returnUrl`s, are all refused (a table printing `tried N accepted 0`); a sign-in whose
//   returnTo normalises (dot segments) emits the normalised same-origin path;
// - every HTML page carries the Content-Security-Policy, and every answer to a signed-in request
//   (pages, API, audit export) carries `Cache-Control: no-store`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSignInWorld, type SignInWorld } from '../sign-in/harness.ts';
import { JSON_ACCEPT, callback, mintCode, send, signIn, startLogin } from '../sign-in/in-process.ts';

const HOSTILE = [
  '//evil.example/x',
  'https://evil.example/',
  '/\\evil.example',
  'javascript:alert(1)',
  'relative/path',
  '/a\r\nx: y',
  '/.//evil.example',
  '/a/..//evil.example',
  '/./\\evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
  '/\t/evil.example',
  '/..//evil.example',
  '/%2e%2e//evil.example',
  '/\u202e/evil',
  '///evil.example',
  '/\\/evil.example',
  'http:evil.example',
];

const jsonPost = (body: unknown) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...JSON_ACCEPT },
});

describe('redirect targets and response headers through the routes', () => {
  let world: SignInWorld;
  before(async () => (world = await startSignInWorld()));
  after(() => world.close());

  test('hostile returnTo at sign-in, switch and admin portal: tried N accepted 0', async () => {
    let tried = 0;
    let accepted = 0;
    for (const returnTo of HOSTILE) {
      tried++;
      const { res } = await send(world, `/auth/login?${new URLSearchParams({ returnTo })}`);
      if (res.status !== 422) accepted++;
    }
    const { cookies } = await signIn(world, 'sam@globex.test', 'Globex');
    for (const returnTo of HOSTILE) {
      tried++;
      const { res } = await send(world, '/auth/switch-organization', {
        ...jsonPost({ organizationId: world.org('Acme'), returnTo }),
        cookies,
        sameOrigin: true,
      });
      if (res.status !== 422) accepted++;
    }
    const admin = await signIn(world, 'grace@globex.test', 'Globex');
    const orgId = world.org('Globex');
    for (const path of HOSTILE.filter((h) => h.startsWith('/'))) {
      for (const returnUrl of [`${world.url}${path}`, `https://evil.example${path}`]) {
        tried++;
        const { res } = await send(world, `/api/v1/organizations/${orgId}/admin-portal-links`, {
          ...jsonPost({ intent: 'sso', returnUrl }),
          cookies: admin.cookies,
          sameOrigin: true,
        });
        if (res.status !== 422 && res.status !== 400) accepted++;
      }
    }
    console.log(`redirects through the routes: tried ${tried} accepted ${accepted}`);
    assert.equal(accepted, 0);
  });

  test('a returnTo with dot segments is emitted normalised, as a same-origin path', async () => {
    const login = await startLogin(world, `?${new URLSearchParams({ returnTo: '/a/b/../../admin/./x' })}`);
    const code = await mintCode(world, 'grace@globex.test', login, 'Globex');
    const sent = await callback(world, login, { code, state: login.state });
    assert.equal((await sent.json()).returnTo, '/admin/x');
  });

  test('CSP on every page; no-store on every answer to a signed-in request', async () => {
    const { cookies } = await signIn(world, 'grace@globex.test', 'Globex');
    const orgId = world.org('Globex');
    const pages = [
      '/auth/signed-out',
      '/auth/password-reset',
      ...['sso', 'members', 'roles', 'api-keys', 'sessions', 'audit'].map((s) => `/admin/orgs/${orgId}/${s}`),
    ];
    const api = [
      '/api/v1/me',
      `/api/v1/organizations/${orgId}/audit-events`,
      `/api/v1/organizations/${orgId}/audit-events/export`,
      `/api/v1/organizations/${orgId}/sessions`,
    ];
    let checked = 0;
    for (const path of [...pages, ...api]) {
      const { res } = await send(world, path, { cookies });
      assert.ok(res.status < 400, `${path} answered ${res.status}`);
      await res.arrayBuffer();
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"])
        assert.ok(csp.includes(directive), `${path}: ${csp}`);
      assert.doesNotMatch(csp, /script-src/);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      checked++;
    }
    console.log(`response headers: ${checked} routes checked, CSP and no-store on each`);
  });
});
