// The newcomer walk's browser helpers: a page per person (offline, every navigation that answers
// 4xx/5xx recorded), sign-in as the README says, and a capture of each page at desktop and phone
// width that records any page scrolling sideways at phone width.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { localOnlyContext, screenshotRecorder } from '../support/browser.ts';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface Walk {
  browser: Browser;
  /** Gatehouse's origin; pages elsewhere (the emulator's hosted pages) are not checked for overflow. */
  url: string;
  readonly blocked: string[];
  readonly failures: string[];
  readonly overflowing: string[];
  readonly screenshots: ReturnType<typeof screenshotRecorder>;
}

export function createWalk(folder: string): Walk {
  return {
    browser: undefined as unknown as Browser,
    url: '',
    blocked: [],
    failures: [],
    overflowing: [],
    screenshots: screenshotRecorder(folder),
  };
}

/** Desktop and phone screenshots of the page as it is; at phone width the page must not scroll sideways. */
export async function capture(walk: Walk, page: Page, name: string): Promise<void> {
  await walk.screenshots.shot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    view: window.innerWidth,
  }));
  if (page.url().startsWith(walk.url) && widths.scroll > widths.view)
    walk.overflowing.push(`${name} (${widths.scroll} > ${widths.view})`);
  await walk.screenshots.shot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

export async function newPage(walk: Walk): Promise<{ context: BrowserContext; page: Page }> {
  const context = await localOnlyContext(walk.browser, walk.blocked);
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  // No Gatehouse page a newcomer is sent to answers with an error.
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.url().startsWith(walk.url) && res.status() >= 400)
      walk.failures.push(`${res.status()} ${res.url()}`);
  });
  return { context, page };
}

export async function landOnHome(walk: Walk, page: Page, firstName: string): Promise<void> {
  await page.waitForURL(`${walk.url}/`);
  await page.locator('main[data-page=home]').waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Welcome, ${firstName}`);
}

export async function signInWithPassword(walk: Walk, page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${walk.url}/auth/login`);
  await page.fill('#email', email);
  await page.click('form[action$="/authorize/email"] button[type=submit]');
  await page.fill('#password', password);
  await page.click('form[action$="/authorize/password"] button[type=submit]');
}

export async function signInThroughSso(walk: Walk, page: Page, email: string): Promise<void> {
  await page.goto(`${walk.url}/auth/login`);
  await page.fill('#email', email);
  await page.click('form[action$="/authorize/email"] button[type=submit]');
  await page.locator(`form:has(input[type=hidden][name=email][value="${email}"]) button[value=sign-in]`).click();
}

export const currentOrganization = (page: Page) => page.getByTestId('current-organization').innerText();

/** The admin section links on the home page (one per section the person may open). */
export const sectionLinks = (page: Page) =>
  page.locator('main ul.orgs a.button').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
