import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../../test/support/browser.ts';
import { startEmulator, type RunningEmulator } from '../index.ts';

// A browser app built on @workos-inc/authkit-js, served from its own origin, signs in through the
// emulator's hosted pages: the PKCE code exchange and the refresh are cross-origin fetches from
// the page to the emulator, so they work only if the emulator answers CORS for that origin.
// The app's API then accepts the access token the page got (verified against the JWKS).

const skip = skipWithoutChromium;
const AUTHKIT_JS = readFileSync(
  createRequire(import.meta.url)
    .resolve('@workos-inc/authkit-js')
    .replace(/index\.js$/, 'index.mjs'),
  'utf8',
);

function pageHtml(emulator: RunningEmulator): string {
  return `<!doctype html><html><body><pre id="out">loading</pre>
<script type="module">
import { createClient } from '/authkit.mjs';
const errors = [];
const original = console.error;
console.error = (...args) => { errors.push(args.map(String).join(' ')); original(...args); };
window.authErrors = errors;
window.authkit = await createClient(${JSON.stringify(emulator.clientId)}, {
  apiHostname: '127.0.0.1', port: ${emulator.port}, https: false,
  redirectUri: location.origin + '/callback',
});
document.getElementById('out').textContent = 'ready';
</script></body></html>`;
}

/** The browser app: its page and bundle, and an API that trusts access tokens from the emulator. */
async function openBrowserApp(emulator: RunningEmulator) {
  const jwks = createRemoteJWKSet(new URL(`${emulator.url}/sso/jwks/${emulator.clientId}`));
  const app = new Hono();
  app.get('/authkit.mjs', (c) => c.body(AUTHKIT_JS, 200, { 'content-type': 'text/javascript' }));
  app.get('/', (c) => c.html(pageHtml(emulator)));
  app.get('/callback', (c) => c.html(pageHtml(emulator)));
  app.get('/api/me', async (c) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) return c.json({ error: 'no token' }, 401);
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: `${emulator.url}/user_management/${emulator.clientId}`,
      });
      return c.json({ sub: payload.sub, org_id: payload.org_id ?? null, sid: payload.sid });
    } catch (error) {
      return c.json({ error: String(error) }, 401);
    }
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function signInThroughHostedPages(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready');
  await page.evaluate(() => (window as any).authkit.signIn());
  await page.fill('#email', 'sam@globex.test');
  await page.click('button:has-text("Continue")');
  await page.fill('#password', 'correct horse battery');
  await page.click('button:has-text("Sign in")');
  await page.waitForURL((u) => u.href.startsWith(`${appUrl}/callback`));
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready');
}

test('authkit-js in Chromium signs in from another origin and calls the API with its token', { skip }, async (t) => {
  const emulator = await startEmulator({ seed: false });
  t.after(() => emulator.close());
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const org = (await api('POST', '/organizations', { name: 'Globex' })).body;
  const user = (
    await api('POST', '/user_management/users', {
      email: 'sam@globex.test',
      password: 'correct horse battery',
      email_verified: true,
    })
  ).body;
  await api('POST', '/user_management/organization_memberships', { user_id: user.id, organization_id: org.id });

  const app = await openBrowserApp(emulator);
  t.after(app.close);
  assert.notEqual(new URL(app.url).origin, new URL(emulator.url).origin);

  const browser: Browser = await launchChromium();
  t.after(() => browser.close());
  const external: string[] = [];
  const offlineContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext();
    context.setDefaultTimeout(8000);
    await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
      external.push(route.request().url());
      return route.abort();
    });
    return context;
  };
  t.after(() => assert.deepEqual(external, [], 'no page loads anything from outside'));

  await t.test('an origin that is not allowed cannot exchange its code (no CORS answer)', async () => {
    const context = await offlineContext();
    const page = await context.newPage();
    await signInThroughHostedPages(page, app.url);
    assert.equal(await page.evaluate(() => (window as any).authkit.getUser()), null);
    const errors = await page.evaluate(() => (window as any).authErrors as string[]);
    assert.ok(
      errors.some((e) => /fetch/i.test(e)),
      `the exchange failed in the browser: ${errors.join(' | ')}`,
    );
    await context.close();
  });

  await t.test('once the origin is allowed, the page signs in, refreshes and calls the API', async () => {
    const created = await api('POST', '/user_management/cors_origins', { origin: app.url });
    assert.equal(created.status, 201);
    assert.equal(created.body.origin, app.url);
    assert.equal((await api('POST', '/user_management/cors_origins', { origin: app.url })).status, 409);

    const context = await offlineContext();
    const page = await context.newPage();
    await signInThroughHostedPages(page, app.url);
    const signedIn = await page.evaluate(() => (window as any).authkit.getUser());
    assert.equal(signedIn?.email, 'sam@globex.test');
    const me = await page.evaluate(async () => {
      const token = await (window as any).authkit.getAccessToken();
      const res = await fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.sub, user.id);
    assert.equal(me.body.org_id, org.id);
    assert.equal(emulator.world.sessions.get(me.body.sid)?.status, 'active');

    // The refresh is a second cross-origin POST with the rotated refresh token.
    const refreshed = await page.evaluate(async () => {
      const token = await (window as any).authkit.getAccessToken({ forceRefresh: true });
      const res = await fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.sid, me.body.sid, 'a refresh keeps the session');
    await context.close();
  });
});
