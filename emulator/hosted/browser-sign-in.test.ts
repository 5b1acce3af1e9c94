import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { GenerateLinkIntent, WorkOS } from '@workos-inc/node';
import type { BrowserContext } from 'playwright-core';
import { CookieSessionStorage, createAuthService } from '@workos/authkit-session';
import { launchChromium, skipWithoutChromium } from '../../test/support/browser.ts';
import { startEmulator, type RunningEmulator } from '../index.ts';
import { scimClient } from '../scim/testing.ts';

// The hosted sign-in in a real browser (Debian's Chromium through playwright-core), for an app
// built on @workos/authkit-session pointed at the emulator with WORKOS_API_HOSTNAME/PORT/HTTPS.
// The app's own session check (`withAuth`: sealed cookie, JWT verified against the emulator's
// JWKS) is what decides that the sign-in worked.

const skip = skipWithoutChromium;

class RequestCookieStorage extends CookieSessionStorage<Request, Response> {
  async getCookie(request: Request, name: string): Promise<string | null> {
    for (const part of (request.headers.get('cookie') ?? '').split(';')) {
      const [k, ...rest] = part.trim().split('=');
      if (k === name) return decodeURIComponent(rest.join('='));
    }
    return null;
  }
}

function withCookies(response: Response, headers: Record<string, string | string[]> | undefined): Response {
  const setCookie = headers?.['Set-Cookie'] ?? headers?.['set-cookie'];
  for (const v of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [])
    response.headers.append('set-cookie', v);
  return response;
}

/** A minimal AuthKit app: /login starts the flow, /callback finishes it, /me reads the session. */
async function openApp(emulator: RunningEmulator) {
  const app = new Hono();
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    WORKOS_CLIENT_ID: emulator.clientId,
    WORKOS_API_KEY: emulator.apiKey,
    WORKOS_REDIRECT_URI: `${url}/callback`,
    WORKOS_COOKIE_PASSWORD: 'a-test-cookie-password-of-at-least-32-chars',
    WORKOS_API_HOSTNAME: '127.0.0.1',
    WORKOS_API_PORT: String(emulator.port),
    WORKOS_API_HTTPS: 'false',
  });
  const auth = createAuthService<Request, Response>({
    sessionStorageFactory: (config) => new RequestCookieStorage(config),
  });
  app.get('/login', async () => {
    const { url: to, headers } = await auth.createSignIn(undefined, {});
    return withCookies(new Response(null, { status: 302, headers: { location: to } }), headers);
  });
  app.get('/callback', async (c) => {
    // The storage adapter never mutates responses, so there is none to pass: cookies come back as headers.
    const result = await auth.handleCallback(c.req.raw, undefined as unknown as Response, {
      code: c.req.query('code') ?? '',
      state: c.req.query('state'),
    });
    return withCookies(new Response(null, { status: 302, headers: { location: '/me' } }), result.headers);
  });
  app.get('/me', async (c) => {
    const { auth: session } = await auth.withAuth(c.req.raw);
    if (!session.user) return c.text('signed out', 401);
    return c.text(`user=${session.user.email} org=${session.organizationId ?? ''} sid=${session.sessionId}`);
  });
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('hosted sign-in in Chromium yields a session @workos/authkit-session accepts', { skip }, async (t) => {
  const emulator = await startEmulator({ seed: false });
  t.after(() => emulator.close());
  const workos = new WorkOS(emulator.apiKey, { apiHostname: '127.0.0.1', port: emulator.port, https: false });
  const control = async (path: string, body: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, await res.clone().text());
    return res.json() as Promise<any>;
  };

  const globex = await workos.organizations.createOrganization({ name: 'Globex' });
  const sam = await workos.userManagement.createUser({
    email: 'sam@globex.test',
    password: 'correct horse battery',
    emailVerified: true,
  });
  await workos.userManagement.createOrganizationMembership({ userId: sam.id, organizationId: globex.id });
  const acme = await workos.organizations.createOrganization({
    name: 'Acme',
    domainData: [{ domain: 'acme.test', state: 'verified' as never }],
  });
  await control('/_emulator/connections', {
    organization_id: acme.id,
    connection_type: 'OktaSAML',
    state: 'active',
    domains: ['acme.test'],
  });
  const directory = await control('/_emulator/directories', { organization_id: acme.id, type: 'okta scim v2.0' });
  const scim = scimClient((u, init) => fetch(u, init), directory.scim_url, directory.scim_token);
  assert.equal(
    (
      await scim.post('/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ana@acme.test',
        externalId: '00u1',
        name: { givenName: 'Ana', familyName: 'Lima' },
        emails: [{ value: 'ana@acme.test', primary: true }],
      })
    ).status,
    201,
  );

  const app = await openApp(emulator);
  t.after(app.close);
  const browser: Browser = await launchChromium();
  t.after(() => browser.close());
  // Every page must work offline: any request leaving 127.0.0.1 is recorded and refused.
  const external: string[] = [];
  const offlineContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext();
    await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
      external.push(route.request().url());
      return route.abort();
    });
    return context;
  };
  t.after(() => assert.deepEqual(external, [], 'no page loads anything from outside'));

  await t.test('email and password', async () => {
    const context = await offlineContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.fill('#email', 'sam@globex.test');
    await page.click('button:has-text("Continue")');
    await page.fill('#password', 'correct horse battery');
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${app.url}/me`);
    const text = await page.textContent('body');
    assert.match(text ?? '', new RegExp(`^user=sam@globex\\.test org=${globex.id} sid=session_`));
    const sid = /sid=(\S+)/.exec(text ?? '')?.[1] ?? '';
    assert.equal(emulator.world.sessions.get(sid)?.status, 'active');
    await context.close();
  });

  await t.test('SSO through the test IdP, picking a SCIM-provisioned directory user', async () => {
    const context = await offlineContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.fill('#email', 'ana@acme.test');
    await page.click('button:has-text("Continue")');
    await page.click('button:has-text("ana@acme.test")');
    await page.waitForURL(`${app.url}/me`);
    assert.match(
      (await page.textContent('body')) ?? '',
      new RegExp(`^user=ana@acme\\.test org=${acme.id} sid=session_`),
    );
    await context.close();
  });

  await t.test(
    'admin portal link from the SDK: an IT admin creates a directory and gets a working SCIM token',
    async () => {
      const { link } = await workos.adminPortal.generateLink({
        organization: globex.id,
        intent: GenerateLinkIntent.DSync,
      });
      const context = await offlineContext();
      const page = await context.newPage();
      await page.goto(link);
      await page.selectOption('#type', 'azure scim v2.0');
      await page.click('button:has-text("Create directory")');
      const scimUrl = (await page.textContent('#scim-url')) ?? '';
      const token = (await page.textContent('#scim-token')) ?? '';
      await context.close();
      const portalScim = scimClient((u, init) => fetch(u, init), scimUrl, token);
      const created = await portalScim.post('/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'lee@globex.test',
      });
      assert.equal(created.status, 201);
      const directoryId = scimUrl.split('/').pop() ?? '';
      const activated = emulator.world.events.find((e) => e.event === 'dsync.activated' && e.data.id === directoryId);
      assert.equal(activated?.data.type, 'azure scim v2.0');
    },
  );
});
