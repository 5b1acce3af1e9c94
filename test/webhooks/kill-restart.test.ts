// A real `gatehouse serve` on PostgreSQL is SIGKILLed while the emulator is delivering a SCIM
// stream to it, then restarted on the same port. WorkOS-style retries finish the job: the mirror
// converges on the emulator's directory (once its apply queue drains), every event is in the inbox once, and no event's effects
// (its audit entries) were applied twice. PostgreSQL only: skipped without TEST_DATABASE_URL (a failure under CI=true).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { readBacklog } from '../../src/webhooks/apply-queue.ts';
import { startCli, waitForExit } from '../support/cli.ts';
import { createTestDatabase } from '../support/stores.ts';
import { requirePostgres } from '../support/requirements.ts';
import { driveScim, emulatorDirectoryState, setupScimDirectory } from './scim-workload.ts';
import { mirrorDirectoryState, SECRET } from './support.ts';
import { freePort } from '../support/ports.ts';

describe('gatehouse serve killed mid-stream and restarted', () => {
  let emu: RunningEmulator | undefined;
  let child: ChildProcess | undefined;
  let store: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  after(async () => {
    child?.kill('SIGKILL');
    await emu?.close();
    await store?.close();
    await drop?.();
  });

  it('converges once retries come, with nothing applied twice', {
    skip: requirePostgres('needs PostgreSQL for two server lifetimes'),
  }, async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const port = await freePort();
    emu = await startEmulator({
      seed: false,
      webhooks: { concurrency: 4, retry: { maxAttempts: 12, baseDelayMs: 100, factor: 2, timeoutMs: 5000 } },
    });
    const env = {
      PORT: String(port),
      DATABASE_URL: db.url,
      GATEHOUSE_SECRET: 'k'.repeat(40),
      WORKOS_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
      WORKOS_API_KEY: emu.apiKey,
      WORKOS_CLIENT_ID: emu.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emu.port),
      WORKOS_API_HTTPS: 'false',
      RECONCILE_INTERVAL_SECONDS: '0',
    };
    const start = async () => (child = (await startCli(['serve'], env, /"msg":"listening"/)).child);
    await start();
    const dir = await setupScimDirectory(emu, { url: `http://127.0.0.1:${port}/webhooks/workos`, secret: SECRET });

    const driving = driveScim(emu, dir, 600, 4);
    const deadline = Date.now() + 60_000;
    while (emu.webhooks.stats().delivered < 120) {
      assert.ok(Date.now() < deadline, 'deliveries started');
      await new Promise((r) => setTimeout(r, 20));
    }
    child!.kill('SIGKILL');
    await waitForExit(child!);
    const { delivered: deliveredBeforeKill, failedAttempts: failedBeforeKill } = emu.webhooks.stats();
    // Down until the emulator has met the dead port at least once: restarting sooner would test no outage.
    for (const downUntil = Date.now() + 60_000; emu.webhooks.stats().failedAttempts === failedBeforeKill; ) {
      assert.ok(Date.now() < downUntil, 'a delivery was attempted while the server was down');
      await new Promise((r) => setTimeout(r, 20));
    }
    await start();
    await driving;
    await emu.webhooks.idle();

    const stats = emu.webhooks.stats();
    console.log(
      `kill/restart figures: ${JSON.stringify({ deliveredBeforeKill, delivered: stats.delivered, failedAttempts: stats.failedAttempts, gaveUp: stats.gaveUp, events: stats.events })}`,
    );
    assert.ok(stats.failedAttempts > 0, 'deliveries failed while the server was down');
    assert.equal(stats.gaveUp, 0);

    store = await openStore({ engine: 'postgres', url: db.url });
    // Acknowledged on the inbox row: the restarted server's apply workers finish behind the last 200.
    for (const until = Date.now() + 60_000; ; ) {
      const backlog = await readBacklog(store.db);
      assert.equal(backlog.failed, 0, 'no event parked failed');
      if (backlog.pending === 0) break;
      assert.ok(Date.now() < until, `the apply queue drains (${backlog.pending} pending)`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const eventIds = emu.world.events.filter((e) => e.event.startsWith('dsync.')).map((e) => e.id);
    const inbox = await asSystem(store.db, 'test', (tx) =>
      tx.selectFrom('webhook_events').select('id').where('id', 'in', eventIds).execute(),
    );
    assert.equal(inbox.length, eventIds.length, 'every event is in the inbox, once');
    const twice = await asSystem(store.db, 'test', (tx) =>
      sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM (SELECT data->>'providerEventId', type FROM audit_events GROUP BY 1, 2 HAVING count(*) > 1) d`.execute(
        tx,
      ),
    );
    assert.equal(twice.rows[0]!.n, 0, 'no event produced its audit entries twice');
    assert.deepEqual(
      await mirrorDirectoryState(store.db, dir.organizationId),
      emulatorDirectoryState(emu, dir.directoryId),
    );
  });
});
