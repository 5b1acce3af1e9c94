// Deliveries dropped entirely (the emulator's dropRate switch), then reconciliation: the Events API
// catch-up converges the mirror and reports the repaired drift, a second run reports zero; then
// drift no event explains (rows changed behind our back) is repaired by --full, and a second
// --full reports zero. On PostgreSQL the real `gatehouse reconcile` command runs as a child
// process; without TEST_DATABASE_URL the same runs go through the service in-process on PGlite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createDirectorySync } from '../../src/directory/directory-sync-service.ts';
import { formatReport, type DriftReport } from '../../src/directory/drift-report.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, openPgliteTestStore, TEST_DATABASE_URL } from '../support/stores.ts';
import { driveScim, emulatorDirectoryState, setupScimDirectory } from '../webhooks/scim-workload.ts';
import { mirrorDirectoryState, recordingRevoker, SECRET } from '../webhooks/support.ts';

describe(`reconcile after dropped deliveries (${TEST_DATABASE_URL ? 'postgres, CLI' : 'pglite, in-process'})`, () => {
  let emu: RunningEmulator;
  let store: Store;
  let drop: (() => Promise<void>) | undefined;
  let env: Record<string, string>;
  let run: (args: string[]) => Promise<DriftReport>;
  let runText: ((args: string[]) => Promise<string>) | undefined;

  before(async () => {
    emu = await startEmulator({ seed: false, webhooks: { chaos: { dropRate: 1 } } });
    env = {
      WORKOS_API_KEY: emu.apiKey,
      WORKOS_CLIENT_ID: emu.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emu.port),
      WORKOS_API_HTTPS: 'false',
    };
    if (TEST_DATABASE_URL) {
      const db = await createTestDatabase();
      drop = db.drop;
      store = await openStore({ engine: 'postgres', url: db.url });
      run = async (args) => {
        const r = await runCli(['reconcile', '--json', ...args], {
          ...env,
          DATABASE_URL: db.url,
          GATEHOUSE_SECRET: 'x'.repeat(40),
          WORKOS_WEBHOOK_SECRET: SECRET,
        });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /reconcile: events: reading from/, 'progress is shown');
        return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as DriftReport;
      };
      runText = async (args) =>
        (await runCli(['reconcile', ...args], { ...env, DATABASE_URL: db.url, GATEHOUSE_SECRET: 'x'.repeat(40) }))
          .stdout;
    } else {
      store = await openPgliteTestStore();
      const sync = createDirectorySync(parseConfig(env), {
        db: store.db,
        engine: 'pglite',
        logger: createLogger('silent'),
        access: recordingRevoker(),
      });
      run = async (args) => (await sync.reconcile({ full: args.includes('--full') }))!;
    }
  });
  after(async () => {
    await emu?.close();
    await store?.close();
    await drop?.();
  });

  it('converges from the Events API, reports the repaired drift, and a second run reports zero', async () => {
    const dir = await setupScimDirectory(emu, { url: 'http://127.0.0.1:9/webhooks/workos', secret: SECRET });
    await driveScim(emu, dir, 150);
    await emu.webhooks.idle();
    assert.ok(emu.webhooks.stats().dropped > 0);
    assert.deepEqual(
      (await mirrorDirectoryState(store.db, dir.organizationId)).users,
      [],
      'nothing arrived by webhook',
    );

    const first = await run([]);
    console.log(`first run: ${formatReport(first).join(' | ')}`);
    assert.ok(first.drift > 0 && (first.kinds.directory_users?.created ?? 0) > 0, JSON.stringify(first));
    assert.deepEqual(
      await mirrorDirectoryState(store.db, dir.organizationId),
      emulatorDirectoryState(emu, dir.directoryId),
    );
    const second = await run([]);
    assert.equal(second.drift, 0);
    assert.equal(second.events.read, 0, 'the cursor was stored');

    // Drift behind our back: a user renamed, a membership closed, a user row tombstoned.
    const users = emulatorDirectoryState(emu, dir.directoryId).users;
    const member = emulatorDirectoryState(emu, dir.directoryId).members[0]!;
    await asSystem(store.db, 'test makes drift', async (tx) => {
      await tx.updateTable('directory_users').set({ first_name: 'Drifted' }).where('id', '=', users[0]!.id).execute();
      const [groupId, userId] = member.split('|') as [string, string];
      await tx
        .updateTable('directory_group_members')
        .set({ present: false })
        .where('group_id', '=', groupId)
        .where('directory_user_id', '=', userId)
        .execute();
      await tx.deleteFrom('directory_users').where('id', '=', users[1]!.id).execute();
    });
    const full = await run(['--full']);
    console.log(`--full after drift: ${formatReport(full).join(' | ')}`);
    assert.equal(full.drift, 3, JSON.stringify(full)); // exactly the three changes made behind its back
    assert.deepEqual(
      await mirrorDirectoryState(store.db, dir.organizationId),
      emulatorDirectoryState(emu, dir.directoryId),
    );
    const again = await run(['--full']);
    assert.equal(again.drift, 0, JSON.stringify(again));
    if (runText) {
      const text = await runText(['--full']);
      console.log(text);
      assert.match(text, /^directory_users\s+created 0, updated 0, deprovisioned 0, unchanged \d+$/m);
      assert.match(text, /^drift: none$/m);
    }
  });
});
