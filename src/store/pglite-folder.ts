// Fresh folders of the embedded database. A new folder would otherwise start with PGlite's initdb
// and then every migration, seconds of CPU each (most of a first `npm start`, of `gatehouse
// migrate` on a new install, of every test that starts one). A cluster does not depend on where
// it lives, so two templates are kept per PGlite version under node_modules/.cache: the pristine
// cluster of the first initdb on the machine, and that cluster migrated to the current migrations
// (one per set of migrations). A fresh folder starts as a copy of the migrated one; the only
// per-install secret the migrations make, the row-level-security key, is removed from the template
// and made anew by the first open of each copy (ensureSystemKey), so no two folders share it.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { loadMigrations, migrate, type SqlSession } from './migrator.ts';
import { syncBuiltInRoles } from './built-in-roles.ts';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

export type PreparedFolder = 'existing' | 'migrated' | 'template' | 'initdb';

/** Where the templates are kept: per installed PGlite version, since its data format follows it. */
export function pgliteTemplateCacheDir(): string {
  return join(NODE_MODULES, '.cache', 'gatehouse', 'pglite-template');
}

function pgliteVersion(): string {
  return (
    JSON.parse(readFileSync(join(NODE_MODULES, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

function migrationsKey(): string {
  const checksums = loadMigrations()
    .map((m) => m.checksum)
    .join(',');
  return createHash('sha256').update(checksums).digest('hex').slice(0, 16);
}

const hasCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));
// A name no other process, and no other open in this one, builds under.
const stagingFor = (template: string) => `${template}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/**
 * Fills an empty PGlite folder. `migrated` (the default): a copy of the migrated template, made
 * first if missing. `migrated: false`: a copy of the pristine cluster (for a database whose
 * migrations the caller runs or only lists), or else initdb in place (closed cleanly, so the folder
 * is a shut-down cluster) and a copy of it kept as that template. Writers race safely: each builds
 * under a name of its own and renames; a loser's copy is dropped.
 */
export async function preparePgliteFolder(
  dataDir: string,
  templateRoot: string = pgliteTemplateCacheDir(),
  options: { migrated?: boolean } = {},
): Promise<PreparedFolder> {
  if (hasCluster(dataDir)) return 'existing';
  if (options.migrated === false) return preparePristine(dataDir, templateRoot);
  const template = join(templateRoot, `${pgliteVersion()}-migrated-${migrationsKey()}`);
  if (!hasCluster(template)) await buildMigratedTemplate(template, templateRoot);
  if (!hasCluster(template)) {
    // The cache is not writable: migrate this folder in place, as without templates.
    return preparePristine(dataDir, templateRoot);
  }
  copyCluster(template, dataDir);
  return 'migrated';
}

async function preparePristine(dataDir: string, templateRoot: string): Promise<'template' | 'initdb'> {
  const template = join(templateRoot, pgliteVersion());
  if (hasCluster(template)) {
    copyCluster(template, dataDir);
    return 'template';
  }
  mkdirSync(dataDir, { recursive: true });
  await (await PGlite.create({ dataDir })).close();
  keepAs(dataDir, template);
  return 'initdb';
}

async function buildMigratedTemplate(template: string, templateRoot: string): Promise<void> {
  const staging = stagingFor(template);
  try {
    await preparePristine(staging, templateRoot);
    const lite = await PGlite.create({ dataDir: staging });
    try {
      const owner: SqlSession = {
        query: async (text, params) => ({ rows: (await lite.query<Record<string, unknown>>(text, params)).rows }),
        exec: (text) => lite.exec(text),
      };
      await migrate(owner);
      await syncBuiltInRoles(owner);
      await owner.query('DELETE FROM gatehouse_rls_keys');
    } finally {
      await lite.close();
    }
    renameSync(staging, template);
    // Templates of earlier migrations are never used again.
    const current = basename(template);
    const prefix = current.slice(0, current.lastIndexOf('-') + 1);
    for (const name of readdirSync(templateRoot))
      if (name.startsWith(prefix) && name !== current && !name.endsWith('.tmp'))
        rmSync(join(templateRoot, name), { recursive: true, force: true });
  } catch {
    // Another start kept its template first, or the cache is not writable: the caller falls back.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Copies a template into `dataDir` under a name of its own first, then renames it into place (over
 * an empty folder too), so a copy cut short by a crash is never taken for a database.
 */
function copyCluster(template: string, dataDir: string): void {
  const staging = stagingFor(dataDir);
  try {
    cpSync(template, staging, { recursive: true });
    renameSync(staging, dataDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // ENOTEMPTY/EEXIST: the folder holds other files; copy beside them, as a plain copy would.
    const code = (error as { code?: string }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    cpSync(template, dataDir, { recursive: true });
  }
}

function keepAs(dataDir: string, template: string): void {
  const staging = stagingFor(template);
  try {
    mkdirSync(join(template, '..'), { recursive: true });
    cpSync(dataDir, staging, { recursive: true });
    renameSync(staging, template);
  } catch {
    // Another start kept its template first, or the cache is not writable: this folder is ready anyway.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Gives a database made from the migrated template its own row-level-security key (the template
 * has none). Does nothing where a key exists or the migrations have not made the table yet.
 */
export async function ensureSystemKey(owner: SqlSession): Promise<void> {
  const { rows } = await owner.query(`SELECT to_regclass('gatehouse_rls_keys') IS NOT NULL AS ok`);
  if (!rows[0]?.ok) return;
  await owner.query(
    `INSERT INTO gatehouse_rls_keys (key)
     SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
     WHERE NOT EXISTS (SELECT 1 FROM gatehouse_rls_keys)`,
  );
}
