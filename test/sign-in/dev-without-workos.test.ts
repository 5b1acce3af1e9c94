// `gatehouse dev` without WorkOS, from a fresh data folder: AUTH_PROVIDER=local seeds the demo
// organization in the store and signs its people in by email code; AUTH_PROVIDER=oidc also starts
// a local oidc-provider as the demo organization's identity provider, prints it, and a demo person
// signs in through it. Ctrl+C stops the identity provider with dev.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli, waitForExit } from '../support/cli.ts';
import { authorizeAt } from './idp-driver.ts';

const env = (dir: string, provider: string) => ({
  AUTH_PROVIDER: provider,
  PORT: '0',
  GATEHOUSE_DATA_DIR: dir,
  GATEHOUSE_SECRET: '',
  WORKOS_API_KEY: '',
  WORKOS_CLIENT_ID: '',
});
const post = (url: string, path: string, body: object) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', origin: url },
    body: JSON.stringify(body),
  });

test('AUTH_PROVIDER=local dev seeds the demo organization and mails codes to the dev mailbox', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dev-local-'));
  try {
    const { child, output } = await startCli(['dev'], env(dir, 'local'), /Stop with Ctrl\+C/, 120_000);
    const out = output();
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    assert.match(out, /ada@demo\.test\s+admin of Demo Co \(email code\)/);
    assert.doesNotMatch(out, /emulator/);
    const login = await fetch(`${url}/auth/login`, { redirect: 'manual' });
    assert.equal(new URL(login.headers.get('location')!).pathname, '/auth/email');
    assert.equal((await post(url, '/auth/email', { email: 'ada@demo.test' })).status, 200);
    let code: string | undefined;
    for (const deadline = Date.now() + 10_000; !code && Date.now() < deadline; ) {
      const box = await (await fetch(`${url}/dev/mailbox?to=ada@demo.test`)).text();
      code = /sign-in code is (\d{6})/.exec(box)?.[1];
      if (!code) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(code, 'the code reached the dev mailbox');
    const verified = await post(url, '/auth/email/verify', { email: 'ada@demo.test', code });
    assert.equal(((await verified.json()) as { responseType: string }).responseType, 'LOGIN_SUCCESSFUL');
    child.kill('SIGTERM');
    assert.equal(await waitForExit(child), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AUTH_PROVIDER=oidc dev starts the demo identity provider and signs a demo person in through it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dev-oidc-'));
  try {
    const { child, output } = await startCli(['dev'], env(dir, 'oidc'), /Stop with Ctrl\+C/, 120_000);
    const out = output();
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const issuer = /identity provider \(oidc-provider\) at (http:\/\/\S+)/.exec(out)![1]!;
    assert.match(out, /ada@demo\.test\s+admin of Demo Co \(at the identity provider, any password\)/);
    const start = await post(url, '/auth/sso', { email: 'ada@demo.test' });
    const { authorizationUrl } = (await start.json()) as { authorizationUrl: string };
    assert.equal(new URL(authorizationUrl).origin, issuer);
    const loginCookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await authorizeAt(authorizationUrl, 'ada@demo.test', `${url}/auth/oidc/callback`);
    const res = await fetch(callback, { headers: { cookie: loginCookie, accept: 'application/json' } });
    assert.equal(((await res.json()) as { responseType: string }).responseType, 'LOGIN_SUCCESSFUL');
    child.kill('SIGTERM');
    assert.equal(await waitForExit(child), 0);
    await assert.rejects(fetch(`${issuer}/.well-known/openid-configuration`), 'the identity provider stopped with dev');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
