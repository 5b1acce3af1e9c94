// Email-code sign-in in Chromium (AUTH_PROVIDER=local): /auth/login -> the email form -> the code
// form, with the code read from a real SMTP server the test runs; "signed in" is proven by
// GET /api/v1/me answering through the session cookie alone. Then the magic link, in a fresh browser.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { orgWithMember } from '../support/access-fixtures.ts';
import { launchChromium, localOnlyContext, skipWithoutChromium } from '../support/browser.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { openLocalWorld, type LocalWorld } from './local-world.ts';

describe('email-code sign-in in Chromium', { skip: skipWithoutChromium }, () => {
  let world: LocalWorld;
  let browser: Browser;
  before(async () => {
    // Chromium starts while the world does: neither needs the other yet.
    [world, browser] = await Promise.all([
      openLocalWorld(openPgliteTestStore, 'invitation', { listen: true }),
      launchChromium(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('signs in with the code from the mailbox, and with the magic link', async () => {
    const { organizationId } = await orgWithMember(world.store.db, 'admin', 'grace@acme.test');
    const blocked: string[] = [];
    const page = await (await localOnlyContext(browser, blocked)).newPage();
    await page.goto(`${world.url}/auth/login?returnTo=/api/v1/me`);
    assert.equal(await page.locator('main').getAttribute('data-response-type'), 'EMAIL_CODE_REQUEST');
    const before = world.mail.length;
    await page.fill('#email', 'grace@acme.test');
    await page.click('button[type=submit]');
    assert.equal(await page.locator('main').getAttribute('data-response-type'), 'EMAIL_CODE_SENT');
    const { code, link } = await world.codeFor('grace@acme.test', before);
    await page.fill('#code', code);
    await page.click('button[type=submit]');
    await page.waitForURL(`${world.url}/api/v1/me`);
    const me = JSON.parse((await page.locator('body').innerText()).trim()) as { organizationId: string };
    assert.equal(me.organizationId, organizationId);

    // The link from the same message is spent: the code was used above.
    const second = await (await localOnlyContext(browser, blocked)).newPage();
    await second.goto(link);
    await second.click('button[type=submit]');
    assert.equal(await second.locator('main').getAttribute('data-response-type'), 'LINK_INVALID');
    // A fresh code's magic link signs in.
    const next = world.mail.length;
    await world.send('/auth/email', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=grace%40acme.test&returnTo=%2Fapi%2Fv1%2Fme',
    });
    const fresh = await world.codeFor('grace@acme.test', next);
    await second.goto(fresh.link);
    await second.click('button[type=submit]');
    await second.waitForURL(`${world.url}/api/v1/me`);
    assert.match(await second.locator('body').innerText(), new RegExp(organizationId));
    assert.deepEqual(blocked, []);
  });
});
