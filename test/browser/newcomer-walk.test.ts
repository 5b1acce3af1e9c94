// The newcomer's first hour, walked in Chromium against `gatehouse dev` exactly as the README
// starts it (a child process: PGlite in a fresh data folder, the emulator with its demo seed):
// open the home page, sign in from /auth/login as each demo user and land on a page that is not
// an error, switch organization from the header, invite someone and accept through the dev
// mailbox, create an API key and reload its page. Every Gatehouse page is saved at desktop and
// phone width in test-results/newcomer-walk/, and at phone width no page scrolls sideways.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, localOnlyContext, screenshotRecorder, skipWithoutChromium } from '../support/browser.ts';
import { startCli, waitForExit } from '../support/cli.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/newcomer-walk', import.meta.url));
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const QUIET = {
  GATEHOUSE_SECRET: '',
  WORKOS_API_KEY: '',
  WORKOS_CLIENT_ID: '',
  WORKOS_WEBHOOK_SECRET: '',
  DATABASE_URL: '',
  PUBLIC_URL: '',
  GATEHOUSE_SUPERADMIN_ORG: '',
  LOG_LEVEL: 'warn',
};
const INVITEE = 'nia@globex.test';

describe('the newcomer walk', { skip: skipWithoutChromium }, () => {
  let dir: string;
  let dev: ChildProcess;
  let url = '';
  let browser: Browser;
  const blocked: string[] = [];
  const failures: string[] = [];
  const screenshots = screenshotRecorder(SHOTS);
  const overflowing: string[] = [];

  /** Desktop and phone screenshots of the page as it is; at phone width the page must not scroll sideways. */
  async function capture(page: Page, name: string): Promise<void> {
    await screenshots.shot(page, `${name}-desktop`);
    await page.setViewportSize(PHONE);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    if (page.url().startsWith(url) && widths.scroll > widths.view)
      overflowing.push(`${name} (${widths.scroll} > ${widths.view})`);
    await screenshots.shot(page, `${name}-phone`);
    await page.setViewportSize(DESKTOP);
  }

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await localOnlyContext(browser, blocked);
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    // No Gatehouse page a newcomer is sent to answers with an error.
    page.on('response', (res) => {
      if (res.request().isNavigationRequest() && res.url().startsWith(url) && res.status() >= 400)
        failures.push(`${res.status()} ${res.url()}`);
    });
    return { context, page };
  }

  async function landOnHome(page: Page, firstName: string): Promise<void> {
    await page.waitForURL(`${url}/`);
    await page.locator('main[data-page=home]').waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Welcome, ${firstName}`);
  }

  async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${url}/auth/login`);
    await page.fill('#email', email);
    await page.click('form[action$="/authorize/email"] button[type=submit]');
    await page.fill('#password', password);
    await page.click('form[action$="/authorize/password"] button[type=submit]');
  }

  async function signInThroughSso(page: Page, email: string): Promise<void> {
    await page.goto(`${url}/auth/login`);
    await page.fill('#email', email);
    await page.click('form[action$="/authorize/email"] button[type=submit]');
    await page.locator(`form:has(input[type=hidden][name=email][value="${email}"]) button[value=sign-in]`).click();
  }

  const currentOrganization = (page: Page) => page.getByTestId('current-organization').innerText();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-newcomer-'));
    rmSync(SHOTS, { recursive: true, force: true });
    const [started, chromium] = await Promise.all([
      startCli(['dev'], { ...QUIET, PORT: '0', GATEHOUSE_DATA_DIR: dir }, /Stop with Ctrl\+C/, 240_000),
      launchChromium(),
    ]);
    dev = started.child;
    browser = chromium;
    url = /listening on (http:\/\/\S+)/.exec(started.output())![1]!;
    assert.match(started.output(), /\/dev\/mailbox/, 'the start banner names the dev mailbox');
  });
  after(async () => {
    await browser?.close();
    if (dev && dev.exitCode === null) {
      dev.kill('SIGTERM');
      await waitForExit(dev);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('Grace opens the home page, signs in with her password and lands home; she sees every Globex page and the tenants', {
    timeout: 180_000,
  }, async () => {
    const { page } = await newPage();
    await page.goto(`${url}/`);
    await page.locator('main[data-page=home-signed-out]').waitFor();
    await capture(page, 'home-signed-out');
    await signInWithPassword(page, 'grace@globex.test', 'globex-grace-demo');
    await landOnHome(page, 'Grace');
    assert.match(await currentOrganization(page), /^Globex · admin$/);
    await capture(page, 'home-grace');
    const sections = await page
      .locator('main ul.orgs a.button')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    assert.equal(sections.length, 6, `every section for an admin (${sections.join(', ')})`);
    for (const href of sections) {
      await page.goto(href);
      assert.equal(await page.locator('main [role=alert]').count(), 0, `no error on ${href}`);
      await capture(page, `grace-${href.split('/').pop()}`);
    }
    await page.getByRole('link', { name: 'All tenants' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    assert.match(await page.locator('main table').innerText(), /Acme[\s\S]*Globex/);
    await capture(page, 'grace-tenants');
    await page.context().close();
  });

  test('Grace creates an API key: the secret once, and a reload shows it is gone and creates nothing', {
    timeout: 120_000,
  }, async () => {
    const { page } = await newPage();
    await signInWithPassword(page, 'grace@globex.test', 'globex-grace-demo');
    await landOnHome(page, 'Grace');
    await page.locator('main').getByRole('link', { name: 'Open' }).nth(3).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('newcomer walk key');
    await page.getByRole('button', { name: 'Create key' }).click();
    assert.match(await page.getByTestId('new-api-key-secret').inputValue(), /^gth_/);
    assert.doesNotMatch(page.url(), /gth_/);
    await capture(page, 'api-key-created');
    await page.reload();
    assert.equal(await page.getByTestId('new-api-key-secret').count(), 0);
    assert.match(await page.locator('main').innerText(), /already shown once/);
    assert.equal(await page.locator('tr', { hasText: 'newcomer walk key' }).count(), 1, 'one key after the reload');
    await capture(page, 'api-key-reloaded');
    await page.context().close();
  });

  test('Grace invites Nia; Nia accepts from the dev mailbox and lands home in Globex, signed in', {
    timeout: 180_000,
  }, async () => {
    const grace = await newPage();
    await signInWithPassword(grace.page, 'grace@globex.test', 'globex-grace-demo');
    await landOnHome(grace.page, 'Grace');
    await grace.page.locator('main').getByRole('link', { name: 'Open' }).nth(1).click();
    await grace.page.getByLabel('Email').fill(INVITEE);
    await grace.page.locator('#invite-role').selectOption('member');
    await grace.page.getByRole('button', { name: 'Send invitation' }).click();
    assert.equal(await grace.page.locator('main p.notice[role=status]').innerText(), `Invitation sent to ${INVITEE}.`);
    await capture(grace.page, 'members-invited');

    const nia = await newPage();
    await nia.page.goto(`${url}/dev/mailbox`);
    await nia.page.locator(`section.mail[data-to="${INVITEE}"][data-kind=invitation]`).waitFor();
    await capture(nia.page, 'dev-mailbox');
    await nia.page
      .locator(`section.mail[data-to="${INVITEE}"]`)
      .getByRole('link', { name: 'Accept the invitation' })
      .click();
    await nia.page.locator('#first_name').fill('Nia');
    await nia.page.locator('#last_name').fill('Newcomer');
    await nia.page.locator('#password').fill('nias long password 1');
    await nia.page.locator('form:has(#password) button[type=submit]').click();
    await landOnHome(nia.page, 'Nia');
    assert.match(await currentOrganization(nia.page), /^Globex · member$/);
    await capture(nia.page, 'home-nia');
    await nia.context.close();

    // The mirror has her as a member who came by invitation.
    const row = grace.page.locator('tr', { has: grace.page.locator(`code:text-is("${INVITEE}")`) }).first();
    for (let deadline = Date.now() + 20_000; ; ) {
      await grace.page.reload();
      if (/active/.test(await row.innerText().catch(() => ''))) break;
      assert.ok(Date.now() < deadline, 'Nia appears as an active member');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(await row.innerText(), /invitation/);
    await grace.context.close();
  });

  test("Sam picks Acme on Gatehouse's own picker, then switches to Globex from the header", {
    timeout: 120_000,
  }, async () => {
    const { page } = await newPage();
    await signInWithPassword(page, 'sam@globex.test', 'both-orgs-sam-demo');
    await page.locator('main[data-response-type=ORGANIZATION_SELECTION_REQUIRED]').waitFor();
    await capture(page, 'organization-picker');
    await page.getByRole('button', { name: 'Acme' }).click();
    await landOnHome(page, 'Sam');
    assert.match(await currentOrganization(page), /^Acme · member$/);
    await page.locator('main').getByRole('link', { name: 'Open' }).first().click();
    await page.locator('nav.sections').waitFor();
    await capture(page, 'sam-acme');
    await page.getByLabel('Switch organization').selectOption({ label: 'Globex' });
    await page.locator('header').getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/admin/orgs/'));
    assert.match(await currentOrganization(page), /^Globex · admin$/);
    await capture(page, 'sam-switched-to-globex');
    await page.context().close();
  });

  test('Alice (Acme admin) and Bob (Acme member) sign in through SSO and land home; Bob is offered only what he may use', {
    timeout: 180_000,
  }, async () => {
    const alice = await newPage();
    await signInThroughSso(alice.page, 'alice@acme.test');
    await landOnHome(alice.page, 'Alice');
    assert.match(await currentOrganization(alice.page), /^Acme · admin$/);
    await capture(alice.page, 'home-alice');
    await alice.page.locator('main').getByRole('link', { name: 'Open' }).first().click();
    await capture(alice.page, 'alice-sso');
    await alice.page.locator('nav.sections').getByRole('link', { name: 'Roles' }).click();
    assert.match(
      await alice.page.locator('main table').first().innerText(),
      /Auditor\s+org-auditor/,
      "the seed's custom role is on the roles page",
    );
    await capture(alice.page, 'alice-roles');
    await alice.context.close();

    const bob = await newPage();
    await signInThroughSso(bob.page, 'bob@acme.test');
    await landOnHome(bob.page, 'Bob');
    await capture(bob.page, 'home-bob');
    const offered = await bob.page
      .locator('main ul.orgs a.button')
      .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname.split('/').pop()));
    assert.deepEqual(offered, ['sso', 'members', 'roles']);
    await bob.page.locator('main').getByRole('link', { name: 'Open' }).nth(1).click();
    const nav = await bob.page.locator('nav.sections a').allInnerTexts();
    assert.deepEqual(nav, ['SSO', 'Members', 'Roles']);
    assert.equal(await bob.page.getByRole('button', { name: /Remove|Deactivate/ }).count(), 0);
    await capture(bob.page, 'bob-members');
    await bob.context.close();
  });

  test('no page was an error, none scrolls sideways at phone width, nothing left the machine', () => {
    assert.deepEqual(failures, [], 'no Gatehouse page answered 4xx/5xx');
    assert.deepEqual(overflowing, [], 'no horizontal page scroll at 390 px');
    assert.deepEqual(blocked, [], 'no request left this machine');
    assert.ok(screenshots.saved.length >= 40, `screenshots: ${screenshots.saved.length}`);
  });
});
