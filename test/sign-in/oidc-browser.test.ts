// Per-organization OIDC sign-in in Chromium (AUTH_PROVIDER=oidc): two organizations, each with its
// own real `oidc-provider`. The work email on Gatehouse's page picks the organization's identity
// provider, the person signs in on that provider's own login page, and comes back signed in to
// that organization: proven by GET /api/v1/me answering through the session cookie alone. Then
// organization B's person, in a fresh browser, lands in B. An address no connection serves is
// offered the email code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, localOnlyContext, skipWithoutChromium } from '../support/browser.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { openOidcWorld, type OidcWorld } from './oidc-world.ts';

describe('per-organization OIDC sign-in in Chromium', { skip: skipWithoutChromium }, () => {
  let world: OidcWorld;
  let browser: Browser;
  before(async () => {
    // Chromium starts while the world does: neither needs the other yet.
    [world, browser] = await Promise.all([openOidcWorld(openPgliteTestStore, { listen: true }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  async function signIn(page: Page, email: string, idpOrigin: string) {
    await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
    assert.equal(await page.locator('main').getAttribute('data-response-type'), 'SSO_EMAIL_REQUEST');
    await page.fill('#email', email);
    await page.click('button[type=submit]');
    // The identity provider's own login page (oidc-provider's quick-start form).
    await page.waitForURL((url) => url.origin === idpOrigin);
    await page.fill('input[name=login]', email);
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL(`${world.url}/api/v1/me`);
    return JSON.parse((await page.locator('body').innerText()).trim()) as { organizationId: string };
  }

  it('signs each organization’s person in through its own identity provider', async () => {
    const blocked: string[] = [];
    const a = await (await localOnlyContext(browser, blocked)).newPage();
    const meA = await signIn(a, 'ada@a.test', new URL(world.a.idp.issuer).origin);
    assert.equal(meA.organizationId, world.a.organizationId);

    const b = await (await localOnlyContext(browser, blocked)).newPage();
    const meB = await signIn(b, 'bob@b.test', new URL(world.b.idp.issuer).origin);
    assert.equal(meB.organizationId, world.b.organizationId);

    // An address no connection serves goes on to the email code, with the address kept.
    const other = await (await localOnlyContext(browser, blocked)).newPage();
    await other.goto(`${world.url}/auth/login`);
    await other.fill('#email', 'someone@nowhere.test');
    await other.click('button[type=submit]');
    assert.equal(await other.locator('main').getAttribute('data-response-type'), 'EMAIL_CODE_SENT');
    // Only the demo identity provider's own login page reaches out (oidc-provider's quick-start form
    // links a web font); nothing Gatehouse serves does.
    assert.deepEqual(
      blocked.filter((url) => !url.startsWith('https://fonts.googleapis.com/')),
      [],
    );
  });
});
