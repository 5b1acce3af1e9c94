import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { apiKeyAuth, isPublicPath } from './auth.ts';

test('the management API needs the bearer API key; OAuth, JWKS, SCIM and page paths do not', async () => {
  const app = new Hono();
  app.use('*', apiKeyAuth('sk_test_right'));
  app.all('*', (c) => c.json({ ok: true }));
  assert.equal((await app.request('/organizations')).status, 401);
  assert.equal(
    (await app.request('/organizations', { headers: { authorization: 'Bearer sk_test_wrong' } })).status,
    401,
  );
  assert.equal(
    (await app.request('/organizations', { headers: { authorization: 'Basic sk_test_right' } })).status,
    401,
  );
  assert.equal(
    (await app.request('/organizations', { headers: { authorization: 'bearer sk_test_right' } })).status,
    200,
  );
  assert.deepEqual(await (await app.request('/_emulator/reset', { method: 'POST' })).json(), {
    message: 'Unauthorized',
  });
  for (const path of [
    '/user_management/authenticate',
    '/sso/token',
    '/sso/profile',
    '/sso/jwks/client_x',
    '/scim/v2/directory_1/Users',
    '/portal/sso',
    '/oauth2/token',
  ]) {
    assert.equal(isPublicPath('POST', path), true, path);
  }
  assert.equal(isPublicPath('POST', '/portal/generate_link'), false, 'generating a portal link is an API call');
  assert.equal(isPublicPath('POST', '/user_management/users'), false);
});
