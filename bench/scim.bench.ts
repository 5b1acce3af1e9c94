// Gatehouse's own SCIM endpoint under an identity provider's initial push, beside the emulator's
// SCIM endpoint measured in the same run (the baseline: an in-memory SCIM server with no database):
//   - N users created by POST /Users over 10 concurrent clients, to each endpoint: requests/s;
//   - for Gatehouse, the time from the first request until the mirror holds all N directory users
//     (each SCIM write applies its mirror change before it answers, so this is the push plus
//     nothing: the figure shows it). Creates that arrive together share a transaction
//     (src/scim/user-create.ts); each still gets its own answer.
// BENCH_SCIM_USERS sets N (default 10,000; use 500 on a shared machine). PostgreSQL when one is
// available (BENCH_DATABASE_URL / TEST_DATABASE_URL or a local cluster), else PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.ts';
import { scimClient, type ScimClient } from '../emulator/scim/testing.ts';
import { openGatehouse } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { newId } from '../src/core/ids.ts';
import { listen } from '../src/http/serve.ts';
import { createLogger } from '../src/logger.ts';
import { createScimDirectory } from '../src/scim/directories.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { asSystem } from '../src/store/tenant.ts';
import { setupScimDirectory } from '../test/webhooks/scim-workload.ts';
import { freshDatabase, opsPerSecond, row } from './support.ts';

const CLIENTS = 10;

function userBody(i: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `user${i}@bench.test`,
    externalId: `ext-${i}`,
    active: true,
    name: { givenName: `User${i}`, familyName: 'Bench' },
    emails: [{ value: `user${i}@bench.test`, primary: true, type: 'work' }],
  };
}

async function push(scim: ScimClient, total: number): Promise<number> {
  return opsPerSecond(total, CLIENTS, async (i) => {
    const res = await scim.post('/Users', userBody(i));
    if (res.status !== 201) throw new Error(`SCIM POST answered ${res.status}: ${JSON.stringify(res.body)}`);
  });
}

export async function scimBench(postgresUrl: string | undefined): Promise<string[]> {
  const total = Number(process.env.BENCH_SCIM_USERS ?? 10_000);
  const engine = postgresUrl ? 'PostgreSQL' : 'PGlite';
  const out = [`SCIM push of ${total} users over ${CLIENTS} concurrent clients (Gatehouse on ${engine})`];
  const emulator = await startEmulator();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-scim-'));
  const db = postgresUrl ? await freshDatabase(postgresUrl) : undefined;
  let store: Store | undefined;
  try {
    const baseline = await push((await setupScimDirectory(emulator)).scim, total);
    out.push(row('emulator SCIM endpoint (in memory, no events delivered)', baseline, 'req/s'));

    store = await openStore(
      db ? { engine: 'postgres', url: db.url, poolSize: 10 } : { engine: 'pglite', dataDir: join(dataDir, 'pglite') },
    );
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GATEHOUSE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(db ? { DATABASE_URL: db.url } : {}),
      SCIM_RATE_LIMIT_PER_MINUTE: String(10_000_000),
    });
    const gatehouse = await openGatehouse(config, { store, logger: createLogger('silent') });
    const server = await listen(gatehouse.app, { port: 0, host: '127.0.0.1' });
    try {
      const org = newId('org');
      await asSystem(store.db, 'bench', (tx) =>
        tx.insertInto('organizations').values({ id: org, name: 'Bench' }).execute(),
      );
      const { directory, token } = await createScimDirectory(
        { db: store.db, access: { revoke: async () => undefined } },
        { organizationId: org, name: 'Bench', actor: { type: 'system', id: null } },
      );
      const started = performance.now();
      const rate = await push(
        scimClient((url, init) => fetch(url, init), `${server.url}/scim/v2`, token),
        total,
      );
      // Converged when the mirror holds every pushed user (polled, never assumed).
      for (;;) {
        const row_ = await asSystem(store.db, 'bench', (tx) =>
          tx
            .selectFrom('directory_users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('directory_id', '=', directory.id)
            .executeTakeFirstOrThrow(),
        );
        if (Number(row_.n) >= total) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const converged = (performance.now() - started) / 1000;
      out.push(row('Gatehouse SCIM endpoint (mirror, audit, grouped commits)', rate, 'req/s', baseline));
      out.push(`  ${'Gatehouse mirror holds every user after'.padEnd(58)} ${converged.toFixed(1).padStart(8)} s`);
    } finally {
      await server.close(500);
      await gatehouse.close();
    }
  } finally {
    await emulator.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}
