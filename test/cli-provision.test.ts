// `gatehouse provision-eval-tenant` against the emulator: provisions once, re-runs change nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { runCli } from './support/cli.ts';

describe('gatehouse provision-eval-tenant', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ seed: false });
    dir = mkdtempSync(join(tmpdir(), 'gh-provision-'));
    env = {
      GATEHOUSE_DATA_DIR: dir,
      DATABASE_URL: '',
      WORKOS_API_KEY: emulator.apiKey,
      WORKOS_CLIENT_ID: emulator.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: new URL(emulator.url).port,
      WORKOS_API_HTTPS: 'false',
    };
  });
  after(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('provisions, then finds the same tenant on a second run', async () => {
    const first = await runCli(
      ['provision-eval-tenant', '--name', 'Umbrella Eval', '--admin-email', 'ada@umbrella.test', '--seed-demo'],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created WorkOS organization org_\w+ \(eval-umbrella-eval\)/);
    assert.match(first.stdout, /invited ada@umbrella\.test as admin/);
    assert.match(first.stdout, /^provisioned: Umbrella Eval -> org_\w+$/m);
    const second = await runCli(
      ['provision-eval-tenant', '--name', 'Umbrella Eval', '--admin-email', 'ada@umbrella.test', '--seed-demo'],
      env,
    );
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already invited/);
    assert.match(second.stdout, /demo data already present/);
    assert.match(second.stdout, /^already provisioned: Umbrella Eval/m);
    const orgs = [...emulator.world.organizations.values()].filter((o) => o.name === 'Umbrella Eval');
    assert.equal(orgs.length, 1);
  });

  it('refuses bad arguments (exit 1) and a missing WorkOS key (exit 2)', async () => {
    assert.equal((await runCli(['provision-eval-tenant', '--name', 'X'], env)).code, 1);
    assert.equal((await runCli(['provision-eval-tenant', '--name', 'X', '--admin-email', 'nope'], env)).code, 1);
    const noKey = await runCli(['provision-eval-tenant', '--name', 'X', '--admin-email', 'x@x.test'], {
      ...env,
      WORKOS_API_KEY: '',
    });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /WORKOS_API_KEY/);
  });
});
