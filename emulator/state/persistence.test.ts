import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkOS } from '@workos-inc/node';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startEmulator } from '../index.ts';
import { saveDelayMs } from './persistence.ts';

// A restarted emulator with a state folder is the same WorkOS: same ids, same sessions and
// refresh tokens, same signing keys, and no second seeding.

test('a world kept in a state folder comes back after a restart with the same ids, tokens and keys', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-state-'));
  const running: Array<{ close(): Promise<void> }> = [];
  t.after(async () => {
    for (const emulator of running) await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const first = await startEmulator({ stateDir: dir });
  assert.equal(first.restored, false);
  const sdk = (port: number) =>
    new WorkOS(first.apiKey, { apiHostname: '127.0.0.1', port, https: false, clientId: first.clientId });
  const workos = sdk(first.port);
  const org = await workos.organizations.createOrganization({ name: 'Made Before Restart' });
  const grace = (await workos.userManagement.listUsers({ email: 'grace@globex.test' })).data[0]!;
  const auth = await workos.userManagement.authenticateWithPassword({
    clientId: first.clientId,
    email: 'grace@globex.test',
    password: 'globex-grace-demo',
  });
  const before = {
    orgs: (await workos.organizations.listOrganizations({ limit: 100 })).data.map((o) => o.id).sort(),
    connections: [...first.world.connections.keys()].sort(),
    directories: [...first.world.directories.keys()].sort(),
    events: first.world.events.length,
    kid: first.context.keys.current().kid,
  };
  await first.close();
  assert.deepEqual(readdirSync(dir), ['world.json'], 'one file, no temporary left behind');
  assert.equal(statSync(join(dir, 'world.json')).mode & 0o777, 0o600, 'secrets inside: owner only');

  const second = await startEmulator({ stateDir: dir });
  running.push(second);
  assert.equal(second.restored, true);
  const again = sdk(second.port);
  assert.deepEqual(
    (await again.organizations.listOrganizations({ limit: 100 })).data.map((o) => o.id).sort(),
    before.orgs,
  );
  assert.ok(before.orgs.includes(org.id));
  assert.deepEqual([...second.world.connections.keys()].sort(), before.connections);
  assert.deepEqual([...second.world.directories.keys()].sort(), before.directories);
  assert.equal(second.world.events.length, before.events, 'the seed was not loaded a second time');
  assert.equal((await again.userManagement.getUser(grace.id)).email, 'grace@globex.test');
  assert.equal(second.context.keys.current().kid, before.kid);
  // The access token minted before the restart verifies against the restarted JWKS...
  await jwtVerify(auth.accessToken, createLocalJWKSet(second.context.keys.jwks()));
  // ...and the refresh token still refreshes, in the same session.
  const refreshed = await again.userManagement.authenticateWithRefreshToken({
    clientId: first.clientId,
    refreshToken: auth.refreshToken,
  });
  assert.equal(refreshed.user.id, grace.id);
  // A password still signs in, and new ids sort after the old ones.
  await again.userManagement.authenticateWithPassword({
    clientId: first.clientId,
    email: 'grace@globex.test',
    password: 'globex-grace-demo',
  });
  const later = await again.organizations.createOrganization({ name: 'Made After Restart' });
  assert.ok(before.orgs.every((id) => id < later.id));
});

test('saves are spaced by what the last one cost, so snapshotting takes at most a fifth of the time', () => {
  assert.equal(saveDelayMs(0), 200);
  assert.equal(saveDelayMs(10), 200);
  for (const cost of [50, 51, 700, 7000]) {
    const delay = saveDelayMs(cost);
    assert.ok(delay >= 200);
    assert.ok(cost / (cost + delay) <= 0.2, `a save of ${cost} ms waits ${delay} ms`);
  }
});
