// Sign-in end to end in Chromium: Gatehouse's /auth/login -> the emulator's hosted AuthKit pages
// (and its test identity provider) -> Gatehouse's /auth/callback, with the unmodified WorkOS SDK in
// between. "Signed in" is proven by GET /api/v1/me answering through the session cookie alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { actorOf } from '../../src/audit/actor.ts';
import { launchChromium, skipWithoutChromium } from '../support/browser.ts';
import { startSignInWorld, type SignInWorld } from './harness.ts';

const skip = skipWithoutChromium;

async function responseType(page: Page): Promise<string | null> {
  return page.locator('main').getAttribute('data-response-type');
}

/** Emulator hosted page: email, then password. */
async function passwordSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.fill('#email', email);
  await page.click('form[action$="/authorize/email"] button[type=submit]');
  await page.fill('#password', password);
  await page.click('form[action$="/authorize/password"] button[type=submit]');
}

async function me(page: Page, world: SignInWorld) {
  await page.waitForURL(`${world.url}/api/v1/me`);
  return JSON.parse((await page.locator('body').innerText()).trim()) as {
    organizationId: string;
    principal: { email: string };
    authMethod: string;
    role: string;
  };
}

describe('sign-in through the emulator in Chromium', { skip }, () => {
  let world: SignInWorld;
  let browser: Browser;

  before(async () => {
    // Chromium starts while the world does: neither needs the other yet.
    [world, browser] = await Promise.all([startSignInWorld(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  test('a one-organization user lands signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
    assert.ok(page.url().startsWith(world.emulator.url), "the browser is on the emulator's hosted page");
    await passwordSignIn(page, 'grace@globex.test', 'globex-grace-demo');
    const who = await me(page, world);
    assert.equal(who.organizationId, world.org('Globex'));
    assert.equal(who.principal.email, 'grace@globex.test');
    assert.equal(who.authMethod, 'session');
    assert.equal(who.role, 'admin');
    const cookies = await context.cookies(world.url);
    assert.ok(
      cookies.every((c) => c.name !== 'gatehouse_login'),
      'the login state cookie is gone after the callback',
    );
    await context.close();
  });

  test("signing out ends our session and, through WorkOS's logout page, the WorkOS session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
    await passwordSignIn(page, 'grace@globex.test', 'globex-grace-demo');
    await me(page, world);
    const before = [...world.emulator.world.sessions.values()].filter(
      (s) => s.user_id === world.user('grace@globex.test') && s.status === 'active',
    ).length;
    // A same-origin form post, as the admin pages' "Sign out" button makes.
    await page.evaluate(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/auth/logout';
      document.body.append(form);
      form.submit();
    });
    await page.waitForURL(`${world.url}/auth/signed-out`);
    assert.equal(await responseType(page), 'SIGNED_OUT');
    const afterwards = [...world.emulator.world.sessions.values()].filter(
      (s) => s.user_id === world.user('grace@globex.test') && s.status === 'active',
    ).length;
    assert.equal(afterwards, before - 1, 'the WorkOS session ended');
    const again = await page.goto(`${world.url}/api/v1/me`);
    assert.equal(again?.status(), 401);
    await context.close();
  });

  test('a two-organization user sees our picker and lands in the chosen one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The hosted page leaves the choice to the app (an AuthKit setting), so WorkOS answers the
    // code exchange with organization_selection_required and Gatehouse shows its own picker.
    await fetch(`${world.emulator.url}/_emulator/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
      body: JSON.stringify({ hosted_organization_selection: false }),
    });
    try {
      await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
      await passwordSignIn(page, 'sam@globex.test', 'both-orgs-sam-demo');
      await page.waitForURL((url) => url.pathname === '/auth/callback');
    } finally {
      await fetch(`${world.emulator.url}/_emulator/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
        body: JSON.stringify({ hosted_organization_selection: true }),
      });
    }
    assert.equal(await responseType(page), 'ORGANIZATION_SELECTION_REQUIRED');
    const offered = await page
      .locator('button[data-organization-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-organization-id')));
    assert.deepEqual(offered.sort(), [world.org('Acme'), world.org('Globex')].sort());
    await page.click(`button[data-organization-id="${world.org('Acme')}"]`);
    const who = await me(page, world);
    assert.equal(who.organizationId, world.org('Acme'));
    assert.equal(who.principal.email, 'sam@globex.test');
    assert.equal(who.role, 'member');
    await context.close();
  });

  test('a password sign-in to an SSO-enforced organization ends in SSO_REQUIRED, then succeeds through the test IdP', async () => {
    const initech = await world.mirrorOrg('Initech');
    const { sso } = world.gatehouse.identity!;
    const admin = actorOf({
      principal: { type: 'user', userId: 'user_test_admin' },
      organizationId: initech,
      role: 'admin',
      permissions: [],
      authMethod: 'session',
      isSuperAdmin: false,
    });
    const connectionId = world.emulator.seed!.connections.Initech![0]!;
    await sso.enableSso(admin, initech, { connectionId });
    await sso.setSsoEnforced(admin, initech, true);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
    await passwordSignIn(page, 'pat@contractors.test', 'initech-pat-demo');
    await page.waitForURL((u) => u.pathname === '/auth/callback');
    assert.equal(await responseType(page), 'SSO_REQUIRED');
    await page.click('#continue-sso');
    // The emulator's test identity provider for Initech's connection.
    await page.fill('#idp-email', 'pat@contractors.test');
    await page.click('form:has(#idp-email) button[value=sign-in]');
    // Outside Initech's (absent) domains the IdP's word is no proof of the inbox: WorkOS mails a code.
    await page.waitForSelector('#code');
    const mail = world.emulator.world.outbox
      .filter((m) => m.kind === 'email_verification' && m.to === 'pat@contractors.test')
      .at(-1)!;
    await page.fill('#code', mail.data.code!);
    await page.click('button:has-text("Verify")');
    const who = await me(page, world);
    assert.equal(who.organizationId, initech);
    assert.equal(who.principal.email, 'pat@contractors.test');
    await context.close();
  });

  test('a deactivated membership shows MEMBERSHIP_DEACTIVATED', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${world.url}/auth/login`);
    await passwordSignIn(page, 'dana@globex.test', 'globex-dana-demo');
    await page.waitForURL((u) => u.pathname === '/auth/callback');
    assert.equal(await responseType(page), 'MEMBERSHIP_DEACTIVATED');
    assert.ok(
      (await context.cookies(world.url)).every((c) => !c.name.includes('session')),
      'no session cookie was set',
    );
    await context.close();
  });

  test('a replayed code shows LINK_INVALID', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let callbackUrl = '';
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/auth/callback') callbackUrl ||= r.url();
    });
    await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
    await passwordSignIn(page, 'grace@globex.test', 'globex-grace-demo');
    await me(page, world);
    assert.ok(callbackUrl, 'saw the callback');
    await page.goto(callbackUrl);
    assert.equal(await responseType(page), 'LINK_INVALID');
    await context.close();
  });
});
