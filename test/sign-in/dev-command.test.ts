// `gatehouse dev` as a developer runs it: the emulator starts beside Gatehouse, the demo sign-ins
// are printed, /auth/login leads to the emulator's hosted page, and Ctrl+C stops both processes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli, waitForExit } from '../support/cli.ts';

test('gatehouse dev runs against the emulator and names the demo users', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dev-signin-'));
  try {
    const { child, output } = await startCli(
      ['dev'],
      { PORT: '0', GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SECRET: '', WORKOS_API_KEY: '', WORKOS_CLIENT_ID: '' },
      /Stop with Ctrl\+C/,
      60_000,
    );
    const out = output();
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const emulatorUrl = /emulator at (http:\/\/\S+)/.exec(out)![1]!;
    assert.match(
      out,
      new RegExp(`public URL: ${url.replace(/[.]/g, '\\.')}`),
      'PORT=0 resolves to the real port before PUBLIC_URL is derived',
    );
    for (const email of ['alice@acme.test', 'bob@acme.test', 'grace@globex.test', 'sam@globex.test'])
      assert.match(out, new RegExp(email));
    assert.match(out, /grace@globex\.test\s+password globex-grace-demo/);

    const login = await fetch(`${url}/auth/login`, { redirect: 'manual' });
    assert.equal(login.status, 302);
    const location = new URL(login.headers.get('location')!);
    assert.equal(location.origin, emulatorUrl);
    assert.equal(location.searchParams.get('redirect_uri'), `${url}/auth/callback`);
    const hosted = await fetch(location);
    assert.equal(hosted.status, 200);
    assert.match(await hosted.text(), /<input id="email"/);

    child.kill('SIGTERM');
    assert.equal(await waitForExit(child), 0);
    await assert.rejects(fetch(`${emulatorUrl}/_emulator/state`), 'the emulator stopped with dev');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
