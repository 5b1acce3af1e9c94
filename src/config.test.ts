import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('fills defaults and derives PUBLIC_URL from HOST and PORT', () => {
    const c = parseConfig({});
    assert.equal(c.PORT, 3000);
    assert.equal(c.PUBLIC_URL, 'http://127.0.0.1:3000');
    assert.equal(c.GATEHOUSE_DATA_DIR, '.gatehouse');
    assert.equal(c.DATABASE_URL, undefined);
  });

  it('keeps an explicit PUBLIC_URL without its trailing slash', () => {
    assert.equal(parseConfig({ PUBLIC_URL: 'https://auth.example.com/' }).PUBLIC_URL, 'https://auth.example.com');
  });

  const bad: [string, string, RegExp][] = [
    ['PORT', 'abc', /integer port/],
    ['PORT', '70000', /integer port/],
    ['PORT', '-1', /integer port/],
    ['PUBLIC_URL', 'not a url', /absolute http\(s\) URL/],
    ['PUBLIC_URL', 'ftp://x.test', /absolute http\(s\) URL/],
    ['DATABASE_URL', 'mysql://x', /postgres:\/\//],
    ['GATEHOUSE_SECRET', 'short', /at least 32 characters/],
    ['LOG_LEVEL', 'loud', /one of fatal/],
    ['DATABASE_POOL_SIZE', '0', /between 1 and 200/],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', /milliseconds/],
    ['AUTH_PROVIDER', 'saml', /workos, local \(email code\) or oidc/],
    ['LOCAL_EMAIL_CODE', 'yes', /on \(AUTH_PROVIDER=oidc/],
    ['AUDIT_SIGNING_KEY', 'not-a-seed', /base64url of 32 random bytes/],
    ['AUDIT_CHECKPOINT_EVERY_EVENTS', '0', /positive number of events/],
  ];
  for (const [name, value, expects] of bad) {
    it(`rejects ${name}=${JSON.stringify(value)} naming the variable`, () => {
      assert.throws(
        () => parseConfig({ [name]: value }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.variable === name &&
          e.message.startsWith(`${name}: `) &&
          expects.test(e.message) &&
          !e.message.includes('\n'),
      );
    });
  }

  it('never echoes the rejected value (it may be a secret)', () => {
    assert.throws(
      () => parseConfig({ GATEHOUSE_SECRET: 'tooshort-secret' }),
      (e: Error) => !e.message.includes('tooshort-secret'),
    );
  });

  it('treats an empty value as unset', () => {
    assert.equal(parseConfig({ PORT: '' }).PORT, 3000);
  });
});

describe('loadConfig', () => {
  it('applies a default only where the environment is silent, and overrides over both', async () => {
    const { loadConfig } = await import('./config.ts');
    const saved = process.env.LOG_LEVEL;
    try {
      delete process.env.LOG_LEVEL;
      assert.equal(loadConfig({}, { LOG_LEVEL: 'warn' }).LOG_LEVEL, 'warn');
      process.env.LOG_LEVEL = 'debug';
      assert.equal(loadConfig({}, { LOG_LEVEL: 'warn' }).LOG_LEVEL, 'debug');
      assert.equal(loadConfig({ LOG_LEVEL: 'error' }, { LOG_LEVEL: 'warn' }).LOG_LEVEL, 'error');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });
});
