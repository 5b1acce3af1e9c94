// Chromium for end-to-end tests: the system browser driven by playwright-core, offline by
// construction (every request that is not to this machine is aborted, so a page that reaches for
// a CDN or a tracker fails the walk instead of silently depending on the internet), and a
// screenshot helper that numbers the pages in the order they were visited.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM_PATH, requireChromium } from './requirements.ts';

export { CHROMIUM_PATH };
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** `false` when Chromium is installed, else the reason to skip (for node:test's `skip`); throws under CI. */
export const skipWithoutChromium: false | string = requireChromium('apt-get install -y chromium-headless-shell');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A fresh browser profile whose requests may only go to this machine; the rest are recorded and aborted. */
export async function localOnlyContext(browser: Browser, blocked: string[] = []): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(8000);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname))
      return route.continue();
    if (url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return context;
}

/** Saves full-page screenshots as NN-name.png in one folder, numbered in visiting order. */
export function screenshotRecorder(folder: string) {
  mkdirSync(folder, { recursive: true });
  let n = 0;
  const saved: string[] = [];
  return {
    saved,
    async shot(page: Page, name: string): Promise<string> {
      const file = join(folder, `${String(++n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      saved.push(file);
      return file;
    },
  };
}
