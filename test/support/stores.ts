// Stores for tests. PGlite: a fresh folder, which the store fills with a copy of the migrated
// template it keeps (src/store/pglite-folder.ts). PostgreSQL (when TEST_DATABASE_URL is set):
// each store gets a fresh database of its own, dropped on close, copied by the server from a
// migrated template database (also keyed by the migrations' checksums) instead of migrated anew.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { loadMigrations } from '../../src/store/migrator.ts';
import { openStore, type Store } from '../../src/store/store.ts';

export interface TestEngine {
  name: 'pglite' | 'postgres';
  open(): Promise<Store>;
}

import { requirePostgres, TEST_DATABASE_URL } from './requirements.ts';

export { TEST_DATABASE_URL };

export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'pglite', open: openPgliteTestStore }];
  // Without PostgreSQL the store suites run on PGlite alone; under CI=true that is a failure.
  requirePostgres('the store suites run on PGlite only');
  if (TEST_DATABASE_URL) engines.push({ name: 'postgres', open: () => openPostgresTestStore() });
  return engines;
}

function migrationsKey(): string {
  return createHash('sha256')
    .update(
      loadMigrations()
        .map((m) => m.checksum)
        .join(','),
    )
    .digest('hex')
    .slice(0, 16);
}

// Folders of stores still open; removed when the process exits, also if a file never closed its store.
const openFolders = new Set<string>();
process.once('exit', () => {
  for (const dir of openFolders) rmSync(dir, { recursive: true, force: true });
});

/**
 * A migrated PGlite store in a temporary folder of its own, removed on close: the product's own
 * fresh-folder path (a copy of the migrated template, src/store/pglite-folder.ts), not PGlite's
 * in-memory file system, whose tarball load costs more CPU and memory than the copy.
 */
export async function openPgliteTestStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-pglite-'));
  openFolders.add(dir);
  const store = await openStore({ engine: 'pglite', dataDir: dir });
  return {
    ...store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      openFolders.delete(dir);
    },
  };
}

/** A PGlite store that was never migrated, in a temporary folder removed on close. */
export async function openBarePgliteTestStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bare-pglite-'));
  const store = await openStore({ engine: 'pglite', dataDir: dir }, { migrate: false });
  return {
    ...store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh PostgreSQL database on the TEST_DATABASE_URL server, dropped when the store closes. */
export async function openPostgresTestStore(): Promise<Store> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const { url, drop } = await createTestDatabase(await postgresTemplate());
  const store = await openStore({ engine: 'postgres', url, poolSize: 25 });
  return {
    ...store,
    engine: store.engine,
    db: store.db,
    owner: store.owner,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}

/** An empty database (or a copy of `template`) on the TEST_DATABASE_URL server, with a way to drop it. */
export async function createTestDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await asAdmin((admin) => admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  return {
    url: databaseUrl(name),
    drop: async () => {
      await asAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function asAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * The migrated template database's name, made on first use. Made under a name of its own and then
 * renamed, so a concurrent test process never copies a half-migrated template; the loser of a race
 * drops its copy. Kept on the server (one per set of migrations) for later runs.
 */
async function postgresTemplate(): Promise<string> {
  const name = `gatehouse_template_${migrationsKey()}`;
  const exists = await asAdmin((a) => a.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  if (exists.rowCount) return name;
  const staging = `${name}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await asAdmin((a) => a.query(`CREATE DATABASE ${staging}`));
  try {
    await (await openStore({ engine: 'postgres', url: databaseUrl(staging) })).close();
    await asAdmin(async (a) => {
      // 55006: the store's connections, closed just now, may not have left the server yet.
      for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 20))) {
        try {
          return await a.query(`ALTER DATABASE ${staging} RENAME TO ${name}`);
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || Date.now() > deadline) throw error;
        }
      }
    });
  } catch (error) {
    await asAdmin((a) => a.query(`DROP DATABASE IF EXISTS ${staging} WITH (FORCE)`));
    // 42P04: another process renamed its template into place first.
    if ((error as { code?: string }).code !== '42P04') throw error;
  }
  return name;
}

/**
 * For a suite that needs PostgreSQL alone (several connections at once): a fresh database opened
 * before its tests and dropped after them, or the reason they skip (a failure under CI=true).
 */
export function postgresStoreForSuite(why: string): { skip: false | string; store(): Store } {
  const skip = requirePostgres(why);
  let store: Store | undefined;
  before(async () => {
    if (!skip) store = await openPostgresTestStore();
  });
  after(async () => store?.close());
  return {
    skip,
    store: () => {
      if (!store) throw new Error("the PostgreSQL store is open only inside the suite's tests");
      return store;
    },
  };
}
