// The emulator in chaos mode (duplicates, reordering, failing first attempts, delays) delivers
// SCIM-driven events to Gatehouse over HTTP; the mirror must end equal to the emulator's directory
// and no event may be lost. CHAOS_EVENTS sets the size (default sized for `npm test` on 2 cores;
// the 10,000 runs with CHAOS_EVENTS=10000; 800 on PostgreSQL, 300 on PGlite by default).
// Runs on PostgreSQL when TEST_DATABASE_URL is
// set, else on PGlite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { listen, type RunningServer } from '../../src/http/serve.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { openPgliteTestStore, openPostgresTestStore, TEST_DATABASE_URL } from '../support/stores.ts';
import { driveScim, emulatorDirectoryState, setupScimDirectory } from './scim-workload.ts';
import { readBacklog } from '../../src/webhooks/apply-queue.ts';
import { createApplyWorker, type ApplyWorker } from '../../src/webhooks/apply-worker.ts';
import { mirrorDirectoryState, recordingRevoker, SECRET, webhookApp } from './support.ts';

const TARGET = Number(process.env.CHAOS_EVENTS ?? (TEST_DATABASE_URL ? 800 : 300));
// Organizations whose directories are driven at once: their events interleave in delivery, and
// (their users sharing emails) their directory users contend for the same link locks.
const ORGS = Number(process.env.CHAOS_ORGS ?? 10);
// `durable` (default here, the path with the most moving parts: queue, set-based batches, per-event
// fallback): the receiver acknowledges on the inbox row and two apply workers (as on two instances)
// apply behind it; CHAOS_ACKNOWLEDGE=applied: each delivery applies before its answer.
const ACK = process.env.CHAOS_ACKNOWLEDGE === 'applied' ? 'applied' : 'durable';

describe(`chaos delivery of ${TARGET} SCIM-driven events for ${ORGS} organizations, acknowledged when ${ACK} (${TEST_DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  let store: Store;
  let emu: RunningEmulator;
  let server: RunningServer;
  let gatehouse: ReturnType<typeof webhookApp>;
  const workers: ApplyWorker[] = [];

  before(async () => {
    store = TEST_DATABASE_URL ? await openPostgresTestStore() : await openPgliteTestStore();
    const access = recordingRevoker();
    if (ACK === 'durable') {
      for (let i = 0; i < 2; i++)
        workers.push(createApplyWorker({ db: store.db, access, listen: store.listen, pollMs: 200 }));
      for (const w of workers) await w.start();
    }
    gatehouse = webhookApp(store, { access, acknowledge: ACK, onQueued: () => void workers[0]?.wake() });
    server = await listen(gatehouse.app, { port: 0, host: '127.0.0.1' });
    emu = await startEmulator({
      seed: false,
      webhooks: {
        concurrency: 8,
        retry: { maxAttempts: 10, baseDelayMs: 20, factor: 2, timeoutMs: 10_000 },
        chaos: { seed: 7, duplicateRate: 0.2, reorderWindow: 25, delayMs: 30, failFirstRate: 0.2 },
      },
    });
  });
  after(async () => {
    await emu?.close();
    await server?.close(1000);
    for (const w of workers) await w.close();
    await store?.close();
  });

  it('ends with the mirror equal to the emulator directory, nothing lost, nothing applied twice', async () => {
    const started = performance.now();
    const first = await setupScimDirectory(emu, { url: `${server.url}/webhooks/workos`, secret: SECRET });
    const dirs = [first, ...(await Promise.all(Array.from({ length: ORGS - 1 }, () => setupScimDirectory(emu))))];
    const emitted = (await Promise.all(dirs.map((dir) => driveScim(emu, dir, Math.ceil(TARGET / ORGS), 2)))).reduce(
      (a, b) => a + b,
      0,
    );
    await emu.webhooks.idle();
    for (const deadline = Date.now() + 120_000; ACK === 'durable' && (await readBacklog(store.db)).pending > 0; ) {
      assert.ok(Date.now() < deadline, 'the apply workers drain the queue');
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;

    const eventIds = emu.world.events.filter((e) => e.event.startsWith('dsync.')).map((e) => e.id);
    const inbox = await asSystem(store.db, 'test reads the inbox', (tx) =>
      tx.selectFrom('webhook_events').select(['id', 'outcome']).where('id', 'in', eventIds).execute(),
    );
    const stats = emu.webhooks.stats();
    const recv = gatehouse.receiver.stats();
    const figures = {
      organizations: dirs.length,
      emitted,
      delivered: stats.delivered,
      applied_once: inbox.filter((r) => r.outcome === 'applied').length,
      duplicates_ignored: recv.duplicate,
      stale_ignored: inbox.filter((r) => r.outcome === 'stale').length,
      lost: eventIds.length - inbox.length,
      failed: inbox.filter((r) => r.outcome === null).length,
      failed_first_attempts: stats.failedAttempts,
      seconds: Number(seconds.toFixed(1)),
      events_per_second: Math.round(stats.delivered / seconds),
    };
    console.log(`chaos figures: ${JSON.stringify(figures)}`);

    assert.equal(figures.lost, 0);
    assert.equal(stats.gaveUp, 0);
    assert.ok(
      stats.duplicated > 0 && recv.duplicate >= stats.duplicated,
      'the chaos switch duplicated deliveries and each duplicate was ignored',
    );
    assert.equal(inbox.length, new Set(inbox.map((r) => r.id)).size);
    assert.equal(figures.applied_once + figures.stale_ignored, eventIds.length);
    for (const dir of dirs)
      assert.deepEqual(
        await mirrorDirectoryState(store.db, dir.organizationId),
        emulatorDirectoryState(emu, dir.directoryId),
      );
  });
});
