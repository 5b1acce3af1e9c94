// The newcomer's first hour, walked in Chromium against `gatehouse dev` exactly as the README
// starts it (a child process: PGlite in a fresh data folder, the emulator with its demo seed):
// open the home page, sign in from /auth/login as each demo user and land on a page that is not
// an error, switch organization from the header, invite someone and accept through the dev
// mailbox, create an API key and reload its page, add a custom role, leave an invitation pending
// and turn SSO on. Then the restart: dev is stopped with SIGTERM, `audit verify` checks each
// organization's log offline, dev starts again on the same data folder and port, and the
// sessions of before still work and find the same organizations (same URLs), keys, roles,
// invitations, SSO settings and audit trail. Every Gatehouse page is saved at desktop and phone
// width in test-results/newcomer-walk/, and at phone width no page scrolls sideways.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../support/browser.ts';
import { runCli, startCli, waitForExit } from '../support/cli.ts';
import { freePort } from '../support/ports.ts';
import {
  capture as captureOn,
  createWalk,
  currentOrganization,
  landOnHome as landOnHomeOf,
  newPage as newPageOf,
  sectionLinks,
  signInThroughSso as ssoOf,
  signInWithPassword as passwordOf,
} from './newcomer-pages.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/newcomer-walk', import.meta.url));
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
const PENDING_INVITEE = 'pat@globex.test';

/** What a page shows in `selector`, for comparing before and after the restart. */
async function textsOf(page: Page, href: string, selector: string): Promise<string[]> {
  await page.goto(href);
  return page.locator(selector).allInnerTexts();
}

describe('the newcomer walk', { skip: skipWithoutChromium }, () => {
  let dir: string;
  let port: number;
  let dev: ChildProcess;
  const walk = createWalk(SHOTS);
  const capture = (page: Page, name: string) => captureOn(walk, page, name);
  const newPage = () => newPageOf(walk);
  const landOnHome = (page: Page, firstName: string) => landOnHomeOf(walk, page, firstName);
  const signInWithPassword = (page: Page, email: string, password: string) => passwordOf(walk, page, email, password);
  const signInThroughSso = (page: Page, email: string) => ssoOf(walk, page, email);
  // Signed in before the restart and kept open across it: their cookies are the old sessions.
  const kept: { grace?: BrowserContext; alice?: BrowserContext } = {};

  async function startDev(): Promise<string> {
    const started = await startCli(
      ['dev'],
      { ...QUIET, PORT: String(port), GATEHOUSE_DATA_DIR: dir },
      /Stop with Ctrl\+C/,
      240_000,
    );
    dev = started.child;
    assert.match(started.output(), /\/dev\/mailbox/, 'the start banner names the dev mailbox');
    return /listening on (http:\/\/\S+)/.exec(started.output())![1]!;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-newcomer-'));
    rmSync(SHOTS, { recursive: true, force: true });
    port = await freePort();
    [walk.url, walk.browser] = await Promise.all([startDev(), launchChromium()]);
  });
  after(async () => {
    await walk.browser?.close();
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
    await page.goto(`${walk.url}/`);
    await page.locator('main[data-page=home-signed-out]').waitFor();
    await capture(page, 'home-signed-out');
    await signInWithPassword(page, 'grace@globex.test', 'globex-grace-demo');
    await landOnHome(page, 'Grace');
    assert.match(await currentOrganization(page), /^Globex · admin$/);
    await capture(page, 'home-grace');
    const sections = await sectionLinks(page);
    assert.equal(sections.length, 7, `every section for an admin (${sections.join(', ')})`);
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
    await page.locator('main').getByRole('link', { name: 'Open API keys' }).click();
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
    await grace.page.locator('main').getByRole('link', { name: 'Open Members' }).click();
    await grace.page.getByLabel('Email').fill(INVITEE);
    await grace.page.locator('#invite-role').selectOption('member');
    await grace.page.getByRole('button', { name: 'Send invitation' }).click();
    assert.equal(await grace.page.locator('main p.notice[role=status]').innerText(), `Invitation sent to ${INVITEE}.`);
    await capture(grace.page, 'members-invited');

    const nia = await newPage();
    await nia.page.goto(`${walk.url}/dev/mailbox`);
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
    await bob.page.locator('main').getByRole('link', { name: 'Open Members' }).click();
    const nav = await bob.page.locator('nav.sections a').allInnerTexts();
    assert.deepEqual(nav, ['SSO', 'Members', 'Roles']);
    assert.equal(await bob.page.getByRole('button', { name: /Remove|Deactivate/ }).count(), 0);
    await capture(bob.page, 'bob-members');
    await bob.context.close();
  });

  // Taken before the restart and compared after it: per page, what its tables and cards show.
  const seen = new Map<string, string[]>();
  const watched = (org: string) =>
    [
      [`${walk.url}/admin/orgs/${org}/api-keys`, 'main table tbody tr'],
      [`${walk.url}/admin/orgs/${org}/roles`, 'main table tbody tr'],
      [`${walk.url}/admin/orgs/${org}/members`, 'main table tbody tr'],
      [`${walk.url}/admin/orgs/${org}/sso`, 'main section[aria-labelledby=conn-title] > p'],
      [`${walk.url}/admin/orgs/${org}/audit`, 'main table tbody tr'],
    ] as const;
  const orgOf = (links: string[]) => new URL(links[0]!).pathname.split('/')[3]!;
  let globexLinks: string[] = [];
  let acmeLinks: string[] = [];

  test('before a restart, Grace adds a custom role and leaves an invitation pending; Alice turns SSO on for Acme', {
    timeout: 180_000,
  }, async () => {
    const grace = await newPage();
    kept.grace = grace.context;
    await signInWithPassword(grace.page, 'grace@globex.test', 'globex-grace-demo');
    await landOnHome(grace.page, 'Grace');
    globexLinks = await sectionLinks(grace.page);
    const globex = orgOf(globexLinks);
    await grace.page.goto(`${walk.url}/admin/orgs/${globex}/roles`);
    await grace.page.locator('#role-slug').fill('support-agent');
    await grace.page.locator('#role-name').fill('Support agent');
    await grace.page.locator('[id="perm-members:read"]').check();
    await grace.page.getByRole('button', { name: 'Create role' }).click();
    assert.equal(await grace.page.locator('main p.notice[role=status]').innerText(), 'Role Support agent created.');
    await capture(grace.page, 'role-created');
    // A destructive action asks first: the confirmation page, then Cancel keeps the role.
    await grace.page.getByRole('button', { name: 'Delete role Support agent' }).click();
    await grace.page.getByRole('heading', { name: 'Delete the role support-agent?', level: 1 }).waitFor();
    await capture(grace.page, 'role-delete-confirmation');
    await grace.page.getByRole('link', { name: 'Cancel' }).click();
    await grace.page.getByRole('button', { name: 'Delete role Support agent' }).waitFor();
    await grace.page.goto(`${walk.url}/admin/orgs/${globex}/members`);
    await grace.page.getByLabel('Email').fill(PENDING_INVITEE);
    await grace.page.locator('#invite-role').selectOption('member');
    await grace.page.getByRole('button', { name: 'Send invitation' }).click();
    assert.equal(
      await grace.page.locator('main p.notice[role=status]').innerText(),
      `Invitation sent to ${PENDING_INVITEE}.`,
    );

    const alice = await newPage();
    kept.alice = alice.context;
    await signInThroughSso(alice.page, 'alice@acme.test');
    await landOnHome(alice.page, 'Alice');
    acmeLinks = await sectionLinks(alice.page);
    await alice.page.goto(`${walk.url}/admin/orgs/${orgOf(acmeLinks)}/sso`);
    await alice.page.getByRole('button', { name: 'Save and enable SSO' }).click();
    assert.equal(await alice.page.locator('main p.notice[role=status]').innerText(), 'SSO enabled.');
    await capture(alice.page, 'sso-enabled');

    for (const [page, org] of [
      [grace.page, globex],
      [alice.page, orgOf(acmeLinks)],
    ] as const) {
      for (const [href, selector] of watched(org)) seen.set(href, await textsOf(page, href, selector));
    }
    const globexPages = (section: string) => seen.get(`${walk.url}/admin/orgs/${globex}/${section}`)!.join('\n');
    assert.match(globexPages('api-keys'), /newcomer walk key/);
    assert.match(globexPages('roles'), /Support agent\s+support-agent/);
    assert.match(globexPages('members'), new RegExp(`${PENDING_INVITEE}\\s+Member\\s+pending`));
    assert.match(
      seen.get(`${walk.url}/admin/orgs/${orgOf(acmeLinks)}/sso`)!.join(''),
      /SSO is enabled with Acme Test IdP \(Generic SAML/,
    );
  });

  test('after a restart of dev on the same data folder, the old sessions find everything where it was', {
    timeout: 300_000,
  }, async () => {
    dev.kill('SIGTERM');
    assert.equal(await waitForExit(dev), 0, 'dev stops cleanly on SIGTERM');
    // Between the runs the embedded database is free: each organization's log verifies offline.
    for (const org of [orgOf(globexLinks), orgOf(acmeLinks)]) {
      const verified = await runCli(['audit', 'verify', '--org', org], { ...QUIET, GATEHOUSE_DATA_DIR: dir });
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.match(verified.stdout, /: ok \d+ events, root [0-9a-f]{64}/);
    }
    const previousUrl = walk.url;
    walk.url = await startDev();
    assert.equal(walk.url, previousUrl, 'the same URL');

    for (const [context, name, links] of [
      [kept.grace!, 'Grace', globexLinks],
      [kept.alice!, 'Alice', acmeLinks],
    ] as const) {
      const page = context.pages()[0]!;
      await page.goto(`${walk.url}/`);
      await landOnHome(page, name);
      assert.deepEqual(await sectionLinks(page), links, `${name}'s organization keeps its id and URLs`);
      await capture(page, `restarted-home-${name.toLowerCase()}`);
      for (const [href, selector] of watched(orgOf(links))) {
        const now = await textsOf(page, href, selector);
        if (href.endsWith('/audit')) {
          // The log only grows: every event of before is still there, unchanged.
          for (const row of seen.get(href)!) assert.ok(now.includes(row), `${href} still shows ${row}`);
        } else {
          assert.deepEqual(now, seen.get(href), `${href} shows what it showed before the restart`);
        }
        await capture(page, `restarted-${name.toLowerCase()}-${href.split('/').pop()}`);
      }
      await page.getByRole('button', { name: 'Verify log' }).click();
      assert.match(await page.locator('main p.notice[role=status]').innerText(), /^Log verified: \d+ events/);
    }
    const grace = kept.grace!.pages()[0]!;
    await grace.goto(`${walk.url}/admin/orgs/${orgOf(globexLinks)}/sessions`);
    await capture(grace, 'restarted-grace-sessions');
    await grace.getByRole('link', { name: 'All tenants' }).click();
    await grace.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await capture(grace, 'restarted-grace-tenants');
    await kept.grace!.close();
    await kept.alice!.close();
  });

  test('no page was an error, none scrolls sideways at phone width, nothing left the machine', () => {
    assert.deepEqual(walk.failures, [], 'no Gatehouse page answered 4xx/5xx');
    assert.deepEqual(walk.overflowing, [], 'no horizontal page scroll at 390 px');
    assert.deepEqual(walk.blocked, [], 'no request left this machine');
    assert.ok(walk.screenshots.saved.length >= 60, `screenshots: ${walk.screenshots.saved.length}`);
  });
});
