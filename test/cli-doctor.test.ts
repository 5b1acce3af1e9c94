// `gatehouse doctor` against a real database folder and the emulator: a sound configuration
// passes; a missing secret, an unregistered webhook endpoint and a rejected API key are each named
// with what to fix, and no secret is ever printed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { openStore } from '../src/store/store.ts';
import { runCli } from './support/cli.ts';
import { HANDLED_EVENT_TYPES } from '../src/mirror/handlers.ts';

describe('gatehouse doctor', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  const publicUrl = 'https://auth.example.test';
  const webhookSecret = 'doctor-webhook-secret-0123456789';
  const secret = 'doctor-gatehouse-secret-0123456789abcdef';

  before(async () => {
    emulator = await startEmulator({ seed: false });
    dir = mkdtempSync(join(tmpdir(), 'gh-doctor-'));
    await (await openStore({ engine: 'pglite', dataDir: join(dir, 'pglite') })).close();
    env = {
      GATEHOUSE_DATA_DIR: dir,
      DATABASE_URL: '',
      PUBLIC_URL: publicUrl,
      GATEHOUSE_SECRET: secret,
      WORKOS_WEBHOOK_SECRET: webhookSecret,
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

  it('names each problem with what to fix, and never prints a secret', async () => {
    const r = await runCli(['doctor'], { ...env, GATEHOUSE_SECRET: '', WORKOS_API_KEY: 'sk_test_wrong_key' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}GATEHOUSE_SECRET: unset/);
    assert.match(r.stdout, /FAIL {2}WorkOS reachable, API key accepted: WorkOS refused WORKOS_API_KEY/);
    assert.match(r.stdout, /ok {4}database migrated/);
    const noEndpoint = await runCli(['doctor'], env);
    assert.equal(noEndpoint.code, 1);
    assert.match(
      noEndpoint.stdout,
      /FAIL {2}webhook endpoint registered: no WorkOS webhook endpoint for https:\/\/auth\.example\.test\/webhooks\/workos/,
    );
    for (const out of [r.stdout + r.stderr, noEndpoint.stdout + noEndpoint.stderr]) {
      for (const s of [secret, webhookSecret, emulator.apiKey]) assert.ok(!out.includes(s), 'a secret was printed');
    }
  });

  it('names the handled event types the webhook endpoint does not subscribe to', async () => {
    await fetch(`${emulator.url}/webhook_endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        endpoint_url: `${publicUrl}/webhooks/workos`,
        events: ['user.created'],
        secret: webhookSecret,
      }),
    });
    const r = await runCli(['doctor'], env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /ok {4}webhook endpoint registered/);
    assert.match(
      r.stdout,
      /FAIL {2}webhook event types: the endpoint does not subscribe to \d+ event type\(s\) Gatehouse handles: .*dsync\.user\.deleted/,
    );
    assert.doesNotMatch(r.stdout, /[:,] user\.created(,|\n)/, 'a subscribed type is not named missing');
  });

  it('passes a sound configuration (warning only about what it cannot check)', async () => {
    const { data } = (await (
      await fetch(`${emulator.url}/webhook_endpoints`, { headers: { authorization: `Bearer ${emulator.apiKey}` } })
    ).json()) as { data: Array<{ id: string }> };
    await fetch(`${emulator.url}/webhook_endpoints/${data[0]!.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [...HANDLED_EVENT_TYPES] }),
    });
    const r = await runCli(['doctor'], env);
    assert.match(r.stdout, /ok {4}webhook event types: all \d+ event types Gatehouse handles are subscribed/);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /ok {4}webhook endpoint registered/);
    assert.match(r.stdout, /warn {2}redirect URI/);
    assert.match(r.stdout, /all checks passed/);
  });
});
