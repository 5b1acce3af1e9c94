// Stores for tests. PGlite: opening and migrating a fresh database costs seconds, so the first
// test process migrates once into a template folder (keyed by the migrations' checksums and
// PGlite's version); every later store opens a copy of it. PostgreSQL (when TEST_DATABASE_URL is set):
// each store gets a fresh database of its own, dropped on close, copied by the server from a
// migrated template database (also keyed by the migrations' checksums) instead of migrated anew.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { preparePgliteFolder } from '../../src/cli/dev-store.ts';
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

function templatePath(): string {
  const key = createHash('sha256')
    .update(migrationsKey())
    .update(JSON.stringify(JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')).version))
    .digest('hex')
    .slice(0, 16);
  return join(tmpdir(), `gatehouse-pglite-template-${key}`);
}

/** The migrated, cleanly shut-down cluster every PGlite test store starts as a copy of. */
async function pgliteTemplate(): Promise<string> {
  const path = templatePath();
  if (existsSync(join(path, 'PG_VERSION'))) return path;
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await (await openStore({ engine: 'pglite', dataDir: await preparePgliteTestFolder(staging) })).close();
    renameSync(staging, path); // atomic: concurrent test processes never copy half a cluster
  } catch (error) {
    // ENOTEMPTY/EEXIST: another test process put its template in place first.
    const code = (error as { code?: string }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return path;
}

// Folders of stores still open; removed when the process exits, also if a file never closed its store.
const openFolders = new Set<string>();
process.once('exit', () => {
  for (const dir of openFolders) rmSync(dir, { recursive: true, force: true });
});

/**
 * A migrated PGlite store in a temporary folder of its own (a copy of the template), removed on
 * close. A folder, not PGlite's in-memory file system: loading a tarball into memory costs more CPU
 * and memory than the copy (about 2.5 s against 1 s of CPU per open).
 */
export async function openPgliteTestStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-pglite-'));
  openFolders.add(dir);
  cpSync(await pgliteTemplate(), dir, { recursive: true });
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

/**
 * Fills an empty PGlite data folder with a copy of the pristine cluster `gatehouse dev` keeps
 * (src/cli/dev-store.ts) instead of running initdb in it; opening it then migrates as usual.
 */
export async function preparePgliteTestFolder(dataDir: string): Promise<string> {
  await preparePgliteFolder(dataDir);
  return dataDir;
}

/** A PGlite store that was never migrated, in a temporary folder removed on close. */
export async function openBarePgliteTestStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bare-pglite-'));
  const store = await openStore({ engine: 'pglite', dataDir: await preparePgliteTestFolder(dir) }, { migrate: false });
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
