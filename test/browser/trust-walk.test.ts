// Two trust rules walked in Chromium against Gatehouse served on a real port (composition root on
// PGlite, the WorkOS emulator answering the unmodified SDK over HTTP):
//   - an impersonated session says so on every page it opens (the banner names the impersonator)
//     and its attempt to mint an API key through the page form is refused on the page — a key
//     would outlive the support session (threat: impersonation used to plant a credential);
//   - the header's organization switcher cannot carry a password session into an organization
//     that enforces SSO: the browser lands on "SSO required", sees none of that organization's
//     data, and stays signed in to the first one (threat: SSO enforcement bypassed by switching).
// Screenshots go to test-results/trust-walk/.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bindPort, type RunningServer } from '../../src/http/serve.ts';
import { cookieName, startAccessWorld, type AccessWorld, type OrgName } from '../access/world.ts';
import { launchChromium, localOnlyContext, screenshotRecorder, skipWithoutChromium } from '../support/browser.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/trust-walk', import.meta.url));
const IMPERSONATOR = 'support@workos.test';

type PasswordSignIn = { org: OrgName; via: 'password'; impersonator?: string };

async function cookieOf(world: AccessWorld, email: string, how: PasswordSignIn): Promise<string> {
  const sent = await world.signIn(email, how);
  const body = await sent.json();
  assert.equal(body.responseType, 'LOGIN_SUCCESSFUL', `${email} ${JSON.stringify(how)}: ${JSON.stringify(body)}`);
  return sent.cookies[cookieName]!;
}

describe('trust rules walked in Chromium', { skip: skipWithoutChromium }, () => {
  let world: AccessWorld;
  let server: RunningServer;
  let browser: Browser;
  let origin: string;
  const blocked: string[] = [];
  const contexts: BrowserContext[] = [];
  const screenshots = screenshotRecorder(SHOTS);

  /** A fresh browser profile holding `cookie` as Gatehouse's session cookie. */
  async function pageWithSession(cookie: string): Promise<Page> {
    const context = await localOnlyContext(browser, blocked);
    contexts.push(context);
    await context.addCookies([{ name: cookieName, value: cookie, url: origin, httpOnly: true, sameSite: 'Lax' }]);
    return context.newPage();
  }

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    // PUBLIC_URL must be the origin the browser uses, or the CSRF origin check refuses its forms.
    const bound = await bindPort({ port: 0, host: '127.0.0.1' });
    origin = bound.url;
    [world, browser] = await Promise.all([startAccessWorld({ env: { PUBLIC_URL: origin } }), launchChromium()]);
    server = bound.serve(world.gatehouse.app);
    // The seed's memberships into the mirror (what webhooks or the scheduled run do), so the header
    // knows each person's other organization and offers the switch.
    await world.gatehouse.directorySync.reconcile({ full: true });
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close(1000);
    await world?.close();
  });

  const impersonatedCookie = () =>
    cookieOf(world, 'ada@both.test', { org: 'Alpha', via: 'password', impersonator: IMPERSONATOR });

  /** Opens `path` and checks the impersonation banner is visible and names the impersonator. */
  async function bannerOn(page: Page, path: string, name: string): Promise<void> {
    const res = await page.goto(`${origin}${path}`);
    assert.equal(res?.status(), 200, path);
    await screenshots.shot(page, name);
    const banner = page.locator('[data-impersonator]');
    assert.ok(await banner.isVisible(), `the impersonation banner is visible on ${path}`);
    assert.match(await banner.innerText(), /support@workos\.test is acting as this user/, path);
  }

  test('an impersonated session shows the banner on admin pages and cannot create an API key', async () => {
    const page = await pageWithSession(await impersonatedCookie());
    const keysUrl = `${origin}/admin/orgs/${world.org('Alpha')}/api-keys`;
    await bannerOn(page, `/admin/orgs/${world.org('Alpha')}/sso`, 'impersonated-sso');
    await bannerOn(page, `/admin/orgs/${world.org('Alpha')}/api-keys`, 'impersonated-api-keys');

    await page.goto(keysUrl);
    await page.fill('#key-name', 'planted by support');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api-keys/create')),
      page.getByRole('button', { name: 'Create key' }).click(),
    ]);
    assert.equal(answer.status(), 403, 'the create action is refused');
    await page.locator('main [role=alert].error').first().waitFor();
    const refusal = await page.locator('main').innerText();
    assert.match(refusal, /impersonat/i, 'the page says why');
    assert.doesNotMatch(refusal, /API key planted by support created/);
    assert.equal(await page.locator('table').filter({ hasText: 'planted by support' }).count(), 0, 'no key listed');
    assert.ok(await page.locator('[data-impersonator]').isVisible(), 'the banner stays on the refusal page');
    await screenshots.shot(page, 'impersonated-key-refused');
  });

  test('an impersonated session shows the banner on the home page', async () => {
    const page = await pageWithSession(await impersonatedCookie());
    await bannerOn(page, '/', 'impersonated-home');
  });

  test('the pages load their one stylesheet under their own Content-Security-Policy', async () => {
    const page = await pageWithSession(await impersonatedCookie());
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(`${origin}/admin/orgs/${world.org('Alpha')}/api-keys`);
    const loaded = await page.evaluate(() => {
      const link = document.querySelector('link[rel=stylesheet]') as HTMLLinkElement | null;
      return link?.sheet != null;
    });
    assert.deepEqual(refused, [], "nothing refused by the page's own policy");
    assert.ok(loaded, 'the stylesheet applied');
  });

  test('the header switcher into an organization that enforces SSO lands on "SSO required"', async () => {
    const cookie = await cookieOf(world, 'bea@both.test', { org: 'Alpha', via: 'password' });
    const page = await pageWithSession(cookie);
    await world.setSso('Beta', 'enforced');
    const alphaMembers = `${origin}/admin/orgs/${world.org('Alpha')}/members`;
    await page.goto(alphaMembers);
    assert.match(await page.getByTestId('current-organization').innerText(), /Alpha/);

    const switcher = page.locator('header form.switcher');
    await switcher.locator('select[name=organizationId]').selectOption({ label: 'Beta' });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${origin}/auth/switch-organization`),
      switcher.getByRole('button', { name: 'Switch' }).click(),
    ]);
    // SSO_REQUIRED is a page (200) that offers the SSO sign-in; what matters is no new session.
    assert.equal(await answer.headerValue('set-cookie'), null, 'the switch sets no session cookie');
    await page.locator('main[data-response-type="SSO_REQUIRED"]').waitFor();
    await page.getByRole('heading', { name: 'Single sign-on required' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/auth/switch-organization', "not sent on to Beta's admin pages");
    const shown = await page.locator('body').innerText();
    assert.doesNotMatch(shown, /Members|ada@both\.test/, "none of Beta's data on the refusal page");
    const continueHref = await page.locator('#continue-sso').getAttribute('href');
    assert.ok(
      continueHref?.startsWith('/auth/login?') && continueHref.includes(world.org('Beta')),
      `SSO through Beta offered (${continueHref})`,
    );
    await screenshots.shot(page, 'switch-sso-required');

    // The session is still Alpha's: the same cookie, the home page says so, Beta's pages stay closed.
    const held = (await page.context().cookies(origin)).find((c) => c.name === cookieName);
    assert.equal(held?.value, cookie, 'the browser still holds the Alpha session cookie');
    await page.goto(`${origin}/`);
    assert.match(await page.getByTestId('current-organization').innerText(), /Alpha/);
    const beta = await page.goto(`${origin}/admin/orgs/${world.org('Beta')}/members`);
    assert.notEqual(beta?.status(), 200, "Beta's members page is not served to an Alpha session");
    assert.doesNotMatch(await page.locator('body').innerText(), /ada@both\.test/, "Beta's member list is not shown");
    await screenshots.shot(page, 'still-alpha');
    assert.deepEqual(blocked, [], 'no request left this machine');
  });
});
