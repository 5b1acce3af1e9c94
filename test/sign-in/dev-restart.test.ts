// `gatehouse dev` restarted on the same data folder meets the same WorkOS world: the emulator keeps
// its state in <GATEHOUSE_DATA_DIR>/emulator, so organization, user and connection ids (what
// Gatehouse's own data points at) are the ones of the first run, and the first run's changes stay.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli, waitForExit } from '../support/cli.ts';

const API_KEY = 'sk_test_gatehouse_emulator';

async function worldOf(emulatorUrl: string) {
  const get = async (path: string) => {
    const res = await fetch(`${emulatorUrl}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    assert.equal(res.status, 200, path);
    return ((await res.json()) as { data: Array<{ id: string; name?: string; email?: string }> }).data;
  };
  return {
    organizations: (await get('/organizations?limit=100')).map((o) => `${o.id} ${o.name}`).sort(),
    users: (await get('/user_management/users?limit=100')).map((u) => `${u.id} ${u.email}`).sort(),
    connections: (await get('/connections?limit=100')).map((c) => c.id).sort(),
  };
}

async function startDev(dir: string) {
  const env = { PORT: '0', GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SECRET: '', WORKOS_API_KEY: '', WORKOS_CLIENT_ID: '' };
  // Two dev starts on a shared, loaded machine: give each start the room the first run takes.
  const { child, output } = await startCli(['dev'], env, /Stop with Ctrl\+C/, 180_000);
  return { child, emulatorUrl: /emulator at (http:\/\/\S+)/.exec(output())![1]! };
}

test('a restarted gatehouse dev finds the same organizations, users and connections', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dev-restart-'));
  try {
    const first = await startDev(dir);
    let before: Awaited<ReturnType<typeof worldOf>>;
    try {
      const created = await fetch(`${first.emulatorUrl}/organizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Made In The First Run' }),
      });
      assert.equal(created.status, 201);
      before = await worldOf(first.emulatorUrl);
    } finally {
      first.child.kill('SIGTERM');
      assert.equal(await waitForExit(first.child), 0);
    }
    assert.ok(existsSync(join(dir, 'emulator', 'world.json')), 'the emulator keeps its world inside the data folder');
    assert.ok(before.organizations.some((o) => o.endsWith('Made In The First Run')));

    const second = await startDev(dir);
    try {
      assert.deepEqual(await worldOf(second.emulatorUrl), before);
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await waitForExit(second.child), 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
