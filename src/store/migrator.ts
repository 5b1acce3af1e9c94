// Numbered, hand-written SQL migrations (src/store/migrations/NNNN_name.sql), each applied once in
// its own transaction. A session-level advisory lock makes concurrent start-ups safe: the first
// instance migrates, the others wait and then find nothing left to do.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one-connection SQL surface the migrator needs (node-postgres Client and PGlite both fit). */
export interface SqlSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<unknown>;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any stable 64-bit number: identifies "the Gatehouse migration lock" among advisory locks.
const MIGRATION_LOCK_KEY = 7_201_930_551;
export const APP_ROLE = 'gatehouse_app';

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(dir + file, 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export const LATEST_MIGRATION = Math.max(0, ...loadMigrations().map((m) => m.version));

export async function migrate(
  session: SqlSession,
  migrations: Migration[] = loadMigrations(),
): Promise<{ applied: string[] }> {
  await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Map(
      (await session.query('SELECT version, checksum FROM schema_migrations')).rows.map((r) => [
        Number(r.version),
        String(r.checksum),
      ]),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum)
          throw new Error(
            `migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead`,
          );
        continue;
      }
      await session.exec('BEGIN');
      try {
        await session.exec(m.sql);
        await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await session.exec('COMMIT');
      } catch (error) {
        await session.exec('ROLLBACK');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(`${m.version}_${m.name}`);
    }
    await grantAppRole(session);
    return { applied };
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

/**
 * The application runs as the unprivileged role `gatehouse_app`, so row-level security applies to
 * it even when the connecting user is a superuser (PGlite's only user is one). It may write tenant
 * tables but never update or delete audit rows: the trigger is the first wall, this the second.
 */
async function grantAppRole(session: SqlSession): Promise<void> {
  await session.exec(`
    DO $$ BEGIN
      CREATE ROLE ${APP_ROLE} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
    DO $$ BEGIN
      EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN NULL;
    END $$;
    DO $$ BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${APP_ROLE}', current_schema());
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ${APP_ROLE}', current_schema());
      EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO ${APP_ROLE}', current_schema());
    END $$;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${APP_ROLE};
    DO $$ BEGIN
      -- The key that opens RLS for system transactions (migration 0009): never the app role's.
      IF to_regclass('gatehouse_rls_keys') IS NOT NULL THEN
        REVOKE ALL ON gatehouse_rls_keys FROM ${APP_ROLE};
      END IF;
    END $$;
    -- The log is written only by gatehouse_audit_submit/integrate (security definer, migration
    -- 0010): a leaked app credential cannot pick a position, rewrite a head or drop a pending entry.
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_events, audit_heads, audit_pending FROM ${APP_ROLE};
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM ${APP_ROLE};
  `);
}

/** What `migrate` would do, without doing it: the migrations not applied yet, and applied ones whose file changed. */
export async function pendingMigrations(
  session: Pick<SqlSession, 'query'>,
  migrations: Migration[] = loadMigrations(),
): Promise<{ pending: string[]; changed: string[] }> {
  const exists = await session.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok");
  const done = new Map(
    exists.rows[0]?.ok
      ? (await session.query('SELECT version, checksum FROM schema_migrations')).rows.map((r) => [
          Number(r.version),
          String(r.checksum),
        ])
      : [],
  );
  const name = (m: Migration) => `${String(m.version).padStart(4, '0')}_${m.name}`;
  return {
    pending: migrations.filter((m) => !done.has(m.version)).map(name),
    changed: migrations.filter((m) => done.has(m.version) && done.get(m.version) !== m.checksum).map(name),
  };
}

/** The latest applied version, or 0 when the database was never migrated. */
export async function currentVersion(session: Pick<SqlSession, 'query'>): Promise<number> {
  const exists = await session.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok");
  if (!exists.rows[0]?.ok) return 0;
  const { rows } = await session.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
  return Number(rows[0]?.v ?? 0);
}
