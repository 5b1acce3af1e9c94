// A Kysely dialect over PGlite. Released kysely has none, and the ones on npm pin old PGlite
// versions, so this adapts Kysely's small Driver interface directly. PGlite is a single
// connection: a mutex hands it to one query or one transaction at a time, so a transaction never
// interleaves with another caller's statements.
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/** The part of PGlite this driver needs; declared here so the store does not depend on its types. */
export interface PGliteLike {
  query<R>(
    sql: string,
    params?: unknown[],
    options?: { rowMode?: 'object' },
  ): Promise<{ rows: R[]; affectedRows?: number }>;
  close(): Promise<void>;
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return acquired;
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #db: PGliteLike;
  constructor(db: PGliteLike) {
    this.#db = db;
  }
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#db.query<R>(compiled.sql, [...compiled.parameters], { rowMode: 'object' });
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }
  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // PGlite has no cursors over its wire; a stream is the whole result in one chunk.
    yield await this.executeQuery<R>(compiled);
  }
}

class PGliteDriver implements Driver {
  readonly #mutex: Mutex;
  readonly #connection: PGliteConnection;
  readonly #releases = new WeakMap<DatabaseConnection, () => void>();
  readonly #close: () => Promise<void>;
  constructor(db: PGliteLike, mutex: Mutex, close: () => Promise<void>) {
    this.#mutex = mutex;
    this.#connection = new PGliteConnection(db);
    this.#close = close;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.lock();
    // One physical connection, so one logical handle per acquisition: the release is per handle.
    const handle: DatabaseConnection = {
      executeQuery: (q) => this.#connection.executeQuery(q),
      streamQuery: (q) => this.#connection.streamQuery(q),
    };
    this.#releases.set(handle, release);
    return handle;
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#releases.get(connection)?.();
    this.#releases.delete(connection);
  }
  async destroy(): Promise<void> {
    await this.#close();
  }
}

export class PGliteDialect implements Dialect {
  readonly #db: PGliteLike;
  readonly #mutex = new Mutex();
  #closing: Promise<void> | undefined;
  constructor(db: PGliteLike) {
    this.#db = db;
  }
  /**
   * Closes the database once no query or transaction holds it. Kysely's destroy() reaches the
   * driver only if a query ever ran, so the store calls this too: an instance left open keeps its
   * files unflushed and, through PostgreSQL's idle-statistics timer, its process alive for 10 s.
   */
  close(): Promise<void> {
    this.#closing ??= this.exclusive(() => this.#db.close());
    return this.#closing;
  }
  /** Runs fn while no Kysely query or transaction holds the connection (owner statements). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.#mutex.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#db, this.#mutex, () => this.close());
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: kysely's Dialect interface declares Kysely<any>
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
