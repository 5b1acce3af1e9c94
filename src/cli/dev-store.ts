// The embedded database of `gatehouse dev`. A new data folder would otherwise start with PGlite's
// initdb, which costs seconds of CPU on every fresh folder (most of a first `npm start`). A pristine
// cluster does not depend on where it lives, so the first initdb on a machine is kept as a template
// under node_modules/.cache and each later fresh folder starts as a copy of it; the migrations then
// run on the copy as on any database. The template is never migrated: each folder gets its own
// row-level-security key from its own migrations.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { openStore, type OpenStoreOptions, type Store, type StoreLocation } from '../store/store.ts';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** Where the pristine cluster is kept: per installed PGlite version, since its data format follows it. */
export function pgliteTemplateCacheDir(): string {
  return join(NODE_MODULES, '.cache', 'gatehouse', 'pglite-template');
}

function templateFor(root: string): string {
  const { version } = JSON.parse(
    readFileSync(join(NODE_MODULES, '@electric-sql', 'pglite', 'package.json'), 'utf8'),
  ) as { version: string };
  return join(root, version);
}

const hasCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/**
 * Fills an empty PGlite folder: a copy of the cached template, or else initdb in place (closed
 * cleanly, so the folder is a shut-down cluster) and a copy of it kept as the template. Writers
 * race safely: each copies to a name of its own and renames; a loser's copy is dropped.
 */
export async function preparePgliteFolder(
  dataDir: string,
  templateRoot: string = pgliteTemplateCacheDir(),
): Promise<'existing' | 'template' | 'initdb'> {
  if (hasCluster(dataDir)) return 'existing';
  const template = templateFor(templateRoot);
  if (hasCluster(template)) {
    mkdirSync(dataDir, { recursive: true });
    cpSync(template, dataDir, { recursive: true });
    return 'template';
  }
  mkdirSync(dataDir, { recursive: true });
  await (await PGlite.create({ dataDir })).close();
  const staging = `${template}.${process.pid}.tmp`;
  try {
    mkdirSync(join(template, '..'), { recursive: true });
    cpSync(dataDir, staging, { recursive: true });
    renameSync(staging, template);
  } catch {
    // Another start kept its template first, or the cache is not writable: this folder is ready anyway.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return 'initdb';
}

/**
 * Opens dev's store: an embedded folder is prepared from the template first, PostgreSQL is taken
 * as it is. `prepared` says whether the database existed before this start.
 */
export async function openDevStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<{ store: Store; prepared: 'existing' | 'template' | 'initdb' | 'server' }> {
  const prepared =
    location.engine === 'pglite' && location.dataDir ? await preparePgliteFolder(location.dataDir) : 'server';
  return { store: await openStore(location, options), prepared };
}
