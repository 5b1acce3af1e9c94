// The scheduled reconciliation: with deliveries lost, the schedule alone converges the mirror; and
// only one instance runs at a time (the advisory lock), checked on PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { parseConfig } from '../../src/config.ts';
import { createDirectorySync, type DirectorySync } from '../../src/directory/directory-sync-service.ts';
import { RECONCILE_LOCK_KEY, withReconcileLock } from '../../src/directory/reconcile.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { openPgliteTestStore, openPostgresTestStore } from '../support/stores.ts';
import { requirePostgres } from '../support/requirements.ts';
import { driveScim, emulatorDirectoryState, setupScimDirectory } from '../webhooks/scim-workload.ts';
import { mirrorDirectoryState, recordingRevoker } from '../webhooks/support.ts';

describe('scheduled reconciliation', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('converges the mirror on its own every RECONCILE_INTERVAL_SECONDS', async () => {
    const emu: RunningEmulator = await startEmulator({ seed: false, webhooks: { chaos: { dropRate: 1 } } });
    cleanup.push(() => emu.close());
    const store: Store = await openPgliteTestStore();
    cleanup.push(() => store.close());
    const config = parseConfig({
      WORKOS_API_KEY: emu.apiKey,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emu.port),
      WORKOS_API_HTTPS: 'false',
      RECONCILE_INTERVAL_SECONDS: '1',
    });
    const sync: DirectorySync = createDirectorySync(config, {
      db: store.db,
      engine: 'pglite',
      logger: createLogger('silent'),
      access: recordingRevoker(),
    });
    cleanup.push(() => sync.close());
    const dir = await setupScimDirectory(emu);
    await driveScim(emu, dir, 40);
    sync.startSchedule();
    const expected = emulatorDirectoryState(emu, dir.directoryId);
    const deadline = Date.now() + 10_000;
    while (JSON.stringify(await mirrorDirectoryState(store.db, dir.organizationId)) !== JSON.stringify(expected)) {
      assert.ok(Date.now() < deadline, 'the schedule converged the mirror');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('runs on one instance at a time', {
    skip: requirePostgres('the lock is a PostgreSQL advisory lock'),
  }, async () => {
    const store = await openPostgresTestStore();
    cleanup.push(() => store.close());
    await store.db.connection().execute(async (holder) => {
      await sql`SELECT pg_advisory_lock(${RECONCILE_LOCK_KEY})`.execute(holder);
      try {
        assert.deepEqual(await withReconcileLock(store.db, 'postgres', async () => 'ran'), { ran: false });
      } finally {
        await sql`SELECT pg_advisory_unlock(${RECONCILE_LOCK_KEY})`.execute(holder);
      }
    });
    assert.deepEqual(await withReconcileLock(store.db, 'postgres', async () => 'ran'), { ran: true, value: 'ran' });
  });
});
