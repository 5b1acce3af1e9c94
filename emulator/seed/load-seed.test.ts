import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import type { EmulatorContext } from '../services/context.ts';
import { EmulatorError } from '../services/errors.ts';
import { verifyPassword } from '../state/password.ts';
import { loadSeed, readSeedFile } from './load-seed.ts';
import { DEMO_SEED_PATH } from '../index.ts';

async function context(): Promise<EmulatorContext> {
  return {
    world: createWorld(),
    keys: await openSigningKeys(),
    config: { apiKey: 'k', clientId: 'c', baseUrl: 'http://emu.test' },
  };
}

test('the demo seed builds Acme (SSO + SCIM), Globex, and a user in both', async () => {
  const ctx = await context();
  const summary = loadSeed(ctx, await readSeedFile(DEMO_SEED_PATH));
  const { world } = ctx;
  assert.deepEqual(Object.keys(summary.organizations).sort(), ['Acme', 'Globex']);
  assert.equal(summary.connections.Acme?.length, 1);
  assert.equal(world.connections.get(summary.connections.Acme![0]!)?.state, 'active');
  assert.equal(summary.directories.Acme?.[0]?.scim_token, 'acme-demo-scim-token-0123456789');
  assert.equal(summary.directories.Acme?.[0]?.scim_url, `http://emu.test/scim/v2/${summary.directories.Acme?.[0]?.id}`);
  assert.equal([...world.directoryUsers.values()].length, 2);
  const sam = summary.users['sam@globex.test']!;
  const samOrgs = [...world.memberships.values()]
    .filter((m) => m.user_id === sam)
    .map((m) => m.organization_id)
    .sort();
  assert.deepEqual(samOrgs, [summary.organizations.Acme, summary.organizations.Globex].sort());
  assert.equal(verifyPassword('both-orgs-sam-demo', world.passwordHashes.get(sam)!), true);
  assert.equal(world.passwordHashes.has(summary.users['alice@acme.test']!), false, 'Alice signs in through SSO only');
  assert.ok(world.events.some((e) => e.event === 'dsync.group.user_added'));
});

test('JSON seed files load; invalid seeds fail with the offending field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seed-'));
  const file = join(dir, 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      organizations: [{ name: 'Solo' }],
      users: [{ email: 'a@solo.test', memberships: [{ organization: 'Solo', role: 'admin' }] }],
    }),
  );
  const ctx = await context();
  const summary = loadSeed(ctx, await readSeedFile(file));
  assert.ok(summary.organizations.Solo);

  await assert.rejects(
    async () => loadSeed(await context(), { users: [{ email: 'not-an-email' }] }),
    (error: unknown) => {
      assert.ok(error instanceof EmulatorError);
      assert.equal(error.status, 422);
      assert.equal(error.body.errors?.[0]?.field, 'users.0.email');
      return true;
    },
  );
  await assert.rejects(
    async () =>
      loadSeed(await context(), {
        organizations: [{ name: 'X' }],
        users: [{ email: 'b@x.test', memberships: [{ organization: 'X', role: 'org-missing' }] }],
      }),
    /does not exist/,
  );
});
