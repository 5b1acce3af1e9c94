// What a suite needs from the machine (a PostgreSQL server, Chromium, nginx), decided in one place.
// On a developer's machine a missing server skips the suite with the reason; under CI=true it fails
// the suite instead, so a green CI run always means the PostgreSQL, multi-instance and browser
// suites really ran (a silent skip would prove nothing and nobody would be told).
import { existsSync } from 'node:fs';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
// Chromium's headless shell (Debian's chromium-headless-shell: the same engine without the desktop
// browser around it; a walk costs about a quarter less CPU) when installed, else the full browser.
export const CHROMIUM_PATH =
  ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path)) ??
  '/usr/bin/chromium-headless-shell';
export const NGINX_PATH = '/usr/sbin/nginx';

function gate(present: boolean, missing: string, why: string): false | string {
  if (present) return false;
  const reason = `${missing}: ${why}`;
  if (IN_CI) throw new Error(`${reason}. Under CI=true a suite never skips for a missing server (.ci/run installs it)`);
  return reason;
}

/** `false` when PostgreSQL is configured, else the reason to skip (node:test's `skip`); throws under CI. */
export function requirePostgres(why: string): false | string {
  return gate(TEST_DATABASE_URL !== undefined, 'TEST_DATABASE_URL is not set', why);
}

export function requireChromium(why: string): false | string {
  return gate(existsSync(CHROMIUM_PATH), `Chromium is not installed at ${CHROMIUM_PATH}`, why);
}

export function requireNginx(why: string): false | string {
  return gate(existsSync(NGINX_PATH), `nginx is not installed at ${NGINX_PATH}`, why);
}
