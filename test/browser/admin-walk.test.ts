// The admin UI walked in Chromium as an organization's admin, against real parts: Gatehouse from
// its composition root on PGlite, the WorkOS emulator (hosted sign-in, test identity provider,
// admin portal, invitation emails, signed webhooks into Gatehouse's mirror). Alice, Acme's admin,
// signs in through SSO, enables and enforces SSO, opens the admin portal, invites a member and
// accepts as them, changes their role, creates and revokes an API key, revokes another member's
// session, and verifies and exports the audit trail. Every page visited is saved as a screenshot
// in test-results/admin-walk/.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readExportFile, verifyExport } from '../../src/audit/export-file.ts';
import { trustedKeysFromJwks } from '../../src/audit/checkpoint.ts';
import { launchChromium, localOnlyContext, screenshotRecorder, skipWithoutChromium } from '../support/browser.ts';
import { startGatehouseServer, type GatehouseServer } from '../support/gatehouse-server.ts';

// test-results/ at the repository root (gitignored), wherever the runner was started.
const SHOTS = fileURLToPath(new URL('../../test-results/admin-walk', import.meta.url));
const INVITEE = 'kim@example.test';

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sign-in through Gatehouse's /auth/login, the emulator's hosted email page and its test identity provider. */
async function signInThroughSso(
  page: Page,
  gh: GatehouseServer,
  email: string,
  returnTo: string,
  shot?: (name: string) => Promise<unknown>,
): Promise<void> {
  const callbacks: string[] = [];
  const onRequest = (r: { url(): string }) => {
    if (r.url().startsWith(`${gh.url}/auth/callback?`)) callbacks.push(r.url());
  };
  page.on('request', onRequest);
  await page.goto(`${gh.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.ok(
    page.url().startsWith(gh.emulator.url),
    `the browser is on the emulator's hosted sign-in page (${page.url()})`,
  );
  await page.fill('#email', email);
  await shot?.('hosted-sign-in');
  await page.click('form[action$="/authorize/email"] button[type=submit]');
  await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
  await shot?.('test-idp');
  await page.locator(`form:has(input[type=hidden][name=email][value="${email}"]) button[value=sign-in]`).click();
  await page.waitForURL(`${gh.url}${returnTo}`);
  page.off('request', onRequest);
  assert.equal(callbacks.length, 1, "the sign-in came back through Gatehouse's /auth/callback once");
}

describe('the admin UI walked in Chromium', { skip: skipWithoutChromium }, () => {
  let gh: GatehouseServer;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const blocked: string[] = [];
  let acme: string;
  const screenshots = screenshotRecorder(SHOTS);
  const shot = (name: string, on: Page = page) => screenshots.shot(on, name);
  const adminUrl = (section: string) => `${gh.url}/admin/orgs/${acme}/${section}`;
  const notice = () => page.locator('main p.notice[role=status]').innerText();

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    [gh, browser] = await Promise.all([startGatehouseServer(), launchChromium()]);
    acme = gh.org('Acme');
    admin = await localOnlyContext(browser, blocked);
    page = await admin.newPage();
  });
  after(async () => {
    await browser?.close();
    await gh?.close();
  });

  test('1. Alice signs in through Gatehouse, the hosted AuthKit page and the test IdP', async () => {
    await signInThroughSso(page, gh, 'alice@acme.test', `/admin/orgs/${acme}/sso`, (name) => shot(name));
    await page.getByRole('heading', { name: 'Settings → Security → SSO', level: 1 }).waitFor();
    assert.match(await page.locator('header').innerText(), /Acme/);
    const me = await page.request.get(`${gh.url}/api/v1/me`);
    assert.equal(me.status(), 200);
    const who = (await me.json()) as { organizationId: string; role: string; principal: { email: string } };
    assert.deepEqual([who.organizationId, who.role, who.principal.email], [acme, 'admin', 'alice@acme.test']);
  });

  test('2. enables SSO with the emulator connection, sees the lockout preview, enforces, opens the admin portal', async () => {
    const connectionId = gh.emulator.seed!.connections.Acme![0]!;
    await shot('sso-before');
    assert.match(await page.locator('#conn-title + p').innerText(), /SSO is not enabled/);
    assert.equal(
      await page.getByRole('button', { name: 'Require SSO' }).count(),
      0,
      'nothing to enforce before SSO is enabled',
    );
    // The directory card: Acme's SCIM directory, and the last reconciliation without other tenants' counts.
    const card = await page.locator('section[aria-labelledby=dsync-title]').innerText();
    assert.match(card, /Acme SCIM/);
    assert.match(card, /Last reconciliation: \d{4}-\d\d-\d\d/);
    assert.doesNotMatch(card, /created|updated/, 'an install-wide drift report is not shown to a tenant admin');
    const offered = await page
      .locator('#sso-connection option')
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    assert.ok(
      offered.includes(connectionId),
      `the page offers the organization's connection from WorkOS (${offered.join(', ')})`,
    );
    await page.locator('#sso-connection').selectOption(connectionId);
    // The connection decides the provider: it is named beside it, and there is no provider to mismatch.
    assert.match(
      await page.locator('#sso-connection optgroup[label=SAML] option').first().innerText(),
      /Acme Test IdP — Generic SAML/,
    );
    assert.equal(await page.locator('select[name=provider]').count(), 0);
    await page.getByRole('button', { name: 'Save and enable SSO' }).click();
    assert.equal(await notice(), 'SSO enabled.');
    assert.match(
      await page.locator('#conn-title + p').innerText(),
      new RegExp(`SSO is enabled with Acme Test IdP \\(Generic SAML, ${connectionId}\\)\\. Enforcement is off\\.`),
    );

    // The lockout preview: Bob is an active Acme member who has never signed in through SSO; Alice just did.
    const preview = page.locator('section[aria-labelledby=enforce-title]');
    assert.match(await preview.locator('[role=alert]').innerText(), /active members have never signed in through SSO/);
    const lockedOut = await preview.locator('ul li').allInnerTexts();
    assert.ok(lockedOut.includes('bob@acme.test'), `Bob is in the lockout preview (${lockedOut.join(', ')})`);
    assert.ok(!lockedOut.includes('alice@acme.test'), 'Alice signed in through SSO and is not');
    await shot('sso-enabled-lockout-preview');

    // Enforcing without the acknowledgement is refused; with it, SSO is required.
    await preview.getByRole('button', { name: 'Require SSO' }).click();
    assert.match(await page.locator('main [role=alert]').first().innerText(), /lock|acknowledg/i);
    await shot('sso-enforce-refused');
    await page
      .locator('section[aria-labelledby=enforce-title]')
      .getByLabel(/members will lose access/)
      .check();
    await page.locator('section[aria-labelledby=enforce-title]').getByRole('button', { name: 'Require SSO' }).click();
    assert.equal(await notice(), 'SSO is now required for every member.');
    assert.match(await page.locator('#conn-title + p').innerText(), /Enforcement is on\./);
    assert.match(
      await preview.innerText(),
      /SSO is required\. 2 active members have never signed in through SSO; they can get in only through SSO now/,
    );
    assert.equal(await preview.locator('[role=alert]').count(), 0, 'no lockout warning once the choice is made');
    await shot('sso-enforced');

    // The admin portal link leads to the emulator's portal page.
    const [portal] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Open Admin Portal (SSO)' }).click(),
    ]);
    assert.ok(page.url().startsWith(gh.emulator.url), `on the emulator's admin portal (${page.url()})`);
    assert.equal(portal?.status(), 200);
    assert.match(await page.locator('body').innerText(), /Acme/);
    await shot('admin-portal');
  });

  test('3. invites a member as admin, who accepts through the emulator and appears with that role', async () => {
    await page.goto(adminUrl('members'));
    await shot('members');
    await page.getByLabel('Email').fill(INVITEE);
    await page.locator('#invite-role').selectOption('admin');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    assert.equal(await notice(), `Invitation sent to ${INVITEE}.`);
    const invitationRow = page.locator('tr', { has: page.locator(`code:text-is("${INVITEE}")`) }).first();
    assert.match(await invitationRow.innerText(), /Admin\s+pending/);
    await shot('members-invited');

    // The invitation email in the emulator's outbox, and its accept link, opened by Kim in her own browser.
    const outbox = await fetch(`${gh.emulator.url}/_emulator/outbox?to=${encodeURIComponent(INVITEE)}`, {
      headers: { authorization: `Bearer ${gh.emulator.apiKey}` },
    });
    const mail = ((await outbox.json()) as { data: Array<{ kind: string; data: Record<string, string> }> }).data.find(
      (m) => m.kind === 'invitation',
    );
    assert.ok(mail, 'an invitation email was sent');
    const acceptUrl = Object.values(mail.data).find((v) => typeof v === 'string' && v.includes('/invite?'));
    assert.ok(acceptUrl, `the email carries the accept link (${Object.keys(mail.data).join(', ')})`);
    const kim = await localOnlyContext(browser, blocked);
    const kimPage = await kim.newPage();
    await kimPage.goto(acceptUrl);
    await shot('invite-sign-up', kimPage);
    await kimPage.locator('#first_name').fill('Kim');
    await kimPage.locator('#last_name').fill('Keller');
    await kimPage.locator('#password').fill('kims long password 1');
    await kimPage.locator('form:has(#password) button[type=submit]').click();
    await kimPage.locator('#invitation-accepted').waitFor();
    await shot('invite-accepted', kimPage);
    await kim.close();

    // WorkOS tells Gatehouse through webhooks; the page shows Kim once the mirror has her.
    const role = await eventually('Kim appears as a member', 10_000, async () => {
      await page.goto(adminUrl('members'));
      const select = page.getByLabel(`Role of ${INVITEE}`);
      return (await select.count()) ? select.inputValue() : undefined;
    });
    assert.equal(role, 'admin');
    assert.match(await page.locator('tr', { has: page.getByLabel(`Role of ${INVITEE}`) }).innerText(), /active/);
    assert.match(
      await page
        .locator('tr', { has: page.locator(`code:text-is("${INVITEE}")`) })
        .last()
        .innerText(),
      /accepted/,
    );
    await shot('members-kim-joined');
  });

  test("4. changes the new member's role", async () => {
    const row = page.locator('tr', { has: page.getByLabel(`Role of ${INVITEE}`) });
    await page.getByLabel(`Role of ${INVITEE}`).selectOption('member');
    await row.getByRole('button', { name: 'Change' }).click();
    assert.equal(await notice(), 'Role changed to member.');
    assert.equal(await page.getByLabel(`Role of ${INVITEE}`).inputValue(), 'member');
    await shot('members-role-changed');
    const kimId = [...gh.emulator.world.users.values()].find((u) => u.email === INVITEE)!.id;
    const inWorkos = [...gh.emulator.world.memberships.values()].find(
      (mm) => mm.user_id === kimId && mm.organization_id === acme,
    );
    assert.equal(inWorkos?.role.slug, 'member', 'the role changed in WorkOS too');
    // The change went to WorkOS too, and its webhook does not undo it.
    await gh.webhooksIdle();
    await page.reload();
    assert.equal(await page.getByLabel(`Role of ${INVITEE}`).inputValue(), 'member');
  });

  test('5. creates an API key, uses it, revokes it, and it is refused at once', async () => {
    await page.goto(adminUrl('api-keys'));
    await shot('api-keys-empty');
    await page.getByLabel('Name').fill('walk test key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-api-key-secret').inputValue();
    assert.match(secret, /^gth_/);
    await shot('api-key-created');
    const me = () => fetch(`${gh.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    const ok = await me();
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { organizationId: string }).organizationId, acme);

    await page.goto(adminUrl('api-keys'));
    await page.getByRole('button', { name: 'Revoke key walk test key' }).click();
    const revokedAt = performance.now();
    assert.equal(await notice(), 'API key revoked. It stops working at once.');
    let status = 200;
    while (performance.now() - revokedAt < 1000 && (status = (await me()).status) === 200)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      status,
      401,
      `refused within 1 s of the revocation (${(performance.now() - revokedAt).toFixed(0)} ms)`,
    );
    assert.match(await page.locator('tr', { hasText: 'walk test key' }).innerText(), /revoked/);
    await shot('api-key-revoked');
  });

  test("6. revokes another member's session, whose next page load goes to sign-in", async () => {
    const bob = await localOnlyContext(browser, blocked);
    const bobPage = await bob.newPage();
    await signInThroughSso(bobPage, gh, 'bob@acme.test', `/admin/orgs/${acme}/members`);
    await shot('bob-signed-in', bobPage);

    await page.goto(adminUrl('sessions'));
    await shot('sessions');
    await page.getByRole('button', { name: 'Revoke this session of bob@acme.test' }).click();
    assert.equal(await notice(), 'Session revoked.');
    assert.equal(await page.getByRole('button', { name: 'Revoke this session of bob@acme.test' }).count(), 0);
    await shot('sessions-revoked');

    const reload = await bobPage.goto(`${gh.url}/admin/orgs/${acme}/members`);
    let first = reload!.request();
    while (first.redirectedFrom()) first = first.redirectedFrom()!;
    const answer = await first.response();
    assert.equal(answer?.status(), 302);
    assert.match(answer!.headers().location ?? '', /^\/auth\/login\?returnTo=/);
    assert.ok(bobPage.url().startsWith(gh.emulator.url), `Bob is on the hosted sign-in page (${bobPage.url()})`);
    await bobPage.locator('#email').waitFor();
    await shot('bob-sent-to-sign-in', bobPage);
    await bob.close();
  });

  test('7. verifies the audit trail and exports it', async () => {
    await gh.webhooksIdle();
    await page.goto(adminUrl('audit'));
    await shot('audit');
    await page.getByRole('button', { name: 'Verify log' }).click();
    const verdict = await page.locator('main p.notice[role=status]').innerText();
    const m = /^Log verified: (\d+) events?, root ([0-9a-f]{64}), \d+ signed checkpoints? consistent\.$/.exec(verdict);
    assert.ok(m, `the log verifies (${verdict})`);
    await shot('audit-verified');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export (JSON Lines, signed)' }).click(),
    ]);
    const file = (await download.path())!;
    const text = readFileSync(file, 'utf8');
    const lines = text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { kind: string; entry: string; rootHash: string });
    const closing = lines.at(-1)!;
    assert.equal(closing.kind, 'checkpoint');
    const events = lines.slice(0, -1).map((l) => JSON.parse(l.entry) as { seq: number; type: string });
    assert.ok(events.length >= Number(m[1]), 'the export holds at least what was verified');
    // The file verifies offline on its own against the published keys, as `gatehouse audit verify --file` does it.
    const jwks = await (await fetch(`${gh.url}/.well-known/gatehouse/audit-keys.json`)).json();
    const offline = await verifyExport(await readExportFile(file), trustedKeysFromJwks(jwks));
    assert.deepEqual([offline.valid, offline.size], [true, events.length]);

    // What the walk did is on the trail, in order, once each where it happened once.
    const types = events.map((e) => e.type);
    const walked = [
      'sso.connection_created',
      'sso.enforcement_enabled',
      'admin_portal.link_created',
      'invitation.sent',
      'invitation.accepted',
      'member.role_changed',
      'api_key.created',
      'api_key.revoked',
      'session.revoked',
    ];
    const positions = walked.map((t) => types.indexOf(t));
    assert.ok(
      positions.every((p) => p >= 0),
      `the trail records ${walked.filter((_, i) => positions[i]! < 0).join(', ')} (${[...new Set(types)].join(', ')})`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'in the order they happened',
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      'seq runs 1..n with no gap',
    );
  });

  test('the walk stayed on this machine and saved a screenshot of each page', () => {
    assert.deepEqual(blocked, [], 'no request left this machine');
    assert.ok(screenshots.saved.length >= 15, `screenshots: ${screenshots.saved.length}`);
  });
});
