// Opening the store: Kysely over node-postgres (DATABASE_URL) or over embedded PGlite (a folder).
// Migrations run on a dedicated owner connection first; the application's connections then act as
// the unprivileged app role so that row-level security holds (see migrator.ts).
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect, type PGliteLike } from './pglite-dialect.ts';
import { ensureSystemKey, preparePgliteFolder } from './pglite-folder.ts';
import { APP_ROLE, currentVersion, LATEST_MIGRATION, migrate, type SqlSession } from './migrator.ts';
import { syncBuiltInRoles } from './built-in-roles.ts';
import type { Database } from './schema.ts';
import { StoreContext } from './store-context.ts';

export type StoreEngine = 'pglite' | 'postgres';

export type StoreLocation =
  | { engine: 'postgres'; url: string; poolSize?: number }
  /** `dataDir` undefined means in memory (tests). */
  | { engine: 'pglite'; dataDir?: string; loadDataDir?: Blob };

/** The database the configuration names: PostgreSQL at DATABASE_URL, else PGlite in the data folder. */
export function storeLocationFor(config: {
  DATABASE_URL?: string | undefined;
  DATABASE_POOL_SIZE?: number | undefined;
  GATEHOUSE_DATA_DIR: string;
}): StoreLocation {
  return config.DATABASE_URL
    ? { engine: 'postgres', url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }
    : { engine: 'pglite', dataDir: join(config.GATEHOUSE_DATA_DIR, 'pglite') };
}

export interface Store {
  readonly engine: StoreEngine;
  readonly db: Kysely<Database>;
  /** Runs a statement as the database owner (migrations, operator tools, tests). */
  readonly owner: SqlSession;
  /**
   * LISTENs on `channel` over a connection of its own (PostgreSQL: a dedicated client outside the
   * pool; PGlite: its one connection). `onLost` fires once if that connection dies; the caller
   * re-listens (the revocation bus does, with backoff). Resolves to the function that stops.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onLost?: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  /** PostgreSQL: the application pool's connections (for metrics); absent on PGlite's one connection. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /**
   * What this process `notify()`s on `channel`, handed over at once (before commit), so the
   * instance making a change acts on it inside the same request. Returns the function that stops.
   */
  onLocalNotify(channel: string, onMessage: (payload: string) => void): () => void;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** PostgreSQL: called with each warning (e.g. running without the app role). */
  onWarning?: (message: string) => void;
}

// The embedded engine's buffer pool. PostgreSQL's default (128MB) is allocated and touched inside
// PGlite's WebAssembly memory at every open: about 0.5 s of CPU and page faults per open, for
// databases (dev, tests, CLI commands) whose hot set fits in a few megabytes; pages beyond it come
// from the operating system's file cache.
const PGLITE_SHARED_BUFFERS = '16MB';

const INT8_OID = 20;
// Sequence numbers and counts fit in a double; strings would leak into domain code.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

export async function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  return location.engine === 'pglite' ? openPglite(location, options) : openPostgres(location, options);
}

async function openPglite(
  location: Extract<StoreLocation, { engine: 'pglite' }>,
  options: OpenStoreOptions,
): Promise<Store> {
  // A fresh folder starts as a copy of a template (pglite-folder.ts), not with initdb.
  if (location.dataDir) await preparePgliteFolder(location.dataDir, undefined, { migrated: options.migrate !== false });
  const lite = await PGlite.create({
    ...(location.dataDir ? { dataDir: location.dataDir } : {}),
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    ...(location.loadDataDir ? { loadDataDir: location.loadDataDir } : {}),
    parsers: { [INT8_OID]: (v: string) => Number(v) },
  });
  const owner: SqlSession = {
    query: async (text, params) => ({ rows: (await lite.query<Record<string, unknown>>(text, params)).rows }),
    exec: (text) => lite.exec(text),
  };
  if (options.migrate !== false) {
    await migrate(owner);
    await syncBuiltInRoles(owner);
  }
  await ensureSystemKey(owner);
  const context = new StoreContext();
  context.systemKey = await readSystemKey(owner);
  // One connection: switch it to the app role; owner statements switch back around themselves.
  // A failure stops the open: the connection would otherwise run every query without RLS. Only a
  // database never migrated lacks the role (it has no tenant tables; /readyz reports it).
  const { rows: roles } = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
  const useAppRole = roles.length > 0;
  if (useAppRole) await lite.exec(`SET ROLE ${APP_ROLE}`);
  const dialect = new PGliteDialect(lite as unknown as PGliteLike);
  const asOwner: SqlSession = {
    query: (text, params) =>
      dialect.exclusive(() =>
        useAppRole ? withOwnerRole(lite, () => owner.query(text, params)) : owner.query(text, params),
      ),
    exec: (text) =>
      dialect.exclusive(() => (useAppRole ? withOwnerRole(lite, () => owner.exec(text)) : owner.exec(text))),
  };
  const db = new Kysely<Database>({ dialect, plugins: [context] });
  // LISTEN must not land inside another caller's open transaction (a rollback would undo it).
  const listen: Store['listen'] = async (channel, onMessage) => {
    const stop = await dialect.exclusive(() => lite.listen(channel, onMessage));
    return () => dialect.exclusive(() => stop());
  };
  // `lite` is not part of the Store contract; the test support reads it to dump a template.
  const onLocalNotify: Store['onLocalNotify'] = (channel, onMessage) => context.onLocalNotify(channel, onMessage);
  return Object.assign(
    {
      engine: 'pglite' as const,
      db,
      owner: asOwner,
      listen,
      onLocalNotify,
      close: async () => {
        await db.destroy();
        await dialect.close();
      },
    },
    { lite },
  );
}

async function withOwnerRole<T>(lite: PGlite, fn: () => Promise<T>): Promise<T> {
  await lite.exec('RESET ROLE');
  try {
    return await fn();
  } finally {
    // Not swallowed: staying on the owner role would run every later query without RLS.
    await lite.exec(`SET ROLE ${APP_ROLE}`);
  }
}

/** The row-level-security key of system transactions (migration 0009); absent before it ran. */
async function readSystemKey(owner: SqlSession): Promise<string | undefined> {
  const { rows } = await owner.query(`SELECT to_regclass('gatehouse_rls_keys') IS NOT NULL AS ok`);
  if (!rows[0]?.ok) return undefined;
  const key = (await owner.query('SELECT key FROM gatehouse_rls_keys LIMIT 1')).rows[0]?.key;
  return typeof key === 'string' ? key : undefined;
}

async function openPostgres(
  location: Extract<StoreLocation, { engine: 'postgres' }>,
  options: OpenStoreOptions,
): Promise<Store> {
  const ownerPool = new pg.Pool({ connectionString: location.url, max: 2, types: pgTypes });
  // An idle pooled connection that the server drops (restart, failover, pg_terminate_backend)
  // emits 'error' on its pool; unhandled, that would crash the process. The pool replaces it.
  const onIdleError = (error: Error) => options.onWarning?.(`database connection lost while idle: ${error.message}`);
  ownerPool.on('error', onIdleError);
  const owner: SqlSession = {
    query: async (text, params) => ({ rows: (await ownerPool.query(text, params as unknown[])).rows }),
    exec: async (text) => ownerPool.query(text),
  };
  try {
    if (options.migrate !== false) {
      const client = await ownerPool.connect();
      try {
        const session: SqlSession = {
          query: async (text, params) => ({ rows: (await client.query(text, params as unknown[])).rows }),
          exec: (text) => client.query(text),
        };
        await migrate(session);
        await syncBuiltInRoles(session);
      } finally {
        client.release();
      }
    }
    const { rows } = await ownerPool.query(
      `SELECT pg_has_role(current_user, oid, 'MEMBER') AS member FROM pg_roles WHERE rolname = $1`,
      [APP_ROLE],
    );
    const useAppRole = rows[0]?.member === true;
    if (!useAppRole)
      options.onWarning?.(
        `cannot act as role ${APP_ROLE}; row-level security relies on the connecting user not being a superuser`,
      );
    const pool = new pg.Pool({ connectionString: location.url, max: location.poolSize ?? 10, types: pgTypes });
    pool.on('error', onIdleError);
    const context = new StoreContext();
    context.systemKey = await readSystemKey(owner);
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: useAppRole ? withAppRole(pool) : pool }),
      plugins: [context],
    });
    return {
      engine: 'postgres',
      db,
      owner,
      listen: (channel, onMessage, onLost) => listenPostgres(location.url, channel, onMessage, onLost),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      onLocalNotify: (channel, onMessage) => context.onLocalNotify(channel, onMessage),
      close: async () => {
        await db.destroy();
        await ownerPool.end();
      },
    };
  } catch (error) {
    await ownerPool.end();
    throw error;
  }
}

/**
 * Hands out only connections that switched to the app role. A connection whose SET ROLE failed is
 * destroyed and the request fails: the threat is a connection silently running without RLS.
 */
function withAppRole(pool: pg.Pool) {
  const switched = new WeakSet<pg.PoolClient>();
  return {
    async connect(): Promise<pg.PoolClient> {
      const client = await pool.connect();
      if (switched.has(client)) return client;
      try {
        await client.query(`SET ROLE ${APP_ROLE}`);
      } catch (error) {
        client.release(error as Error);
        throw new Error(`database connection could not switch to role ${APP_ROLE}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      switched.add(client);
      return client;
    },
    end: () => pool.end(),
  };
}

/** A dedicated client: a pooled connection would be handed to queries and miss notifications. */
async function listenPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onLost?: (error: Error) => void,
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url, types: pgTypes });
  let stopped = false;
  const lost = (error: Error) => {
    if (stopped) return;
    stopped = true;
    client.end().catch(() => undefined);
    onLost?.(error);
  };
  client.on('error', lost);
  client.on('end', () => lost(new Error('listen connection ended')));
  client.on('notification', (n) => {
    if (n.channel === channel && n.payload !== undefined) onMessage(n.payload);
  });
  await client.connect();
  await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  return async () => {
    stopped = true;
    await client.end().catch(() => undefined);
  };
}

/** For /readyz: the database answers and carries every migration this build knows. */
export async function checkReady(store: Store): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const version = await currentVersion({
      query: async (text) => ({ rows: (await sql.raw<Record<string, unknown>>(text).execute(store.db)).rows }),
    });
    if (version < LATEST_MIGRATION)
      return { ok: false, reason: `database at migration ${version}, expected ${LATEST_MIGRATION}` };
    return { ok: true };
  } catch {
    return { ok: false, reason: 'database unreachable' };
  }
}
