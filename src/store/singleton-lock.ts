// "Only one instance at a time" for scheduled work (reconciliation, retention): a session-level
// PostgreSQL advisory lock held on one pooled connection for the run (the run's own transactions
// use other connections). If the process dies, PostgreSQL drops the session and the lock with it.
// PGlite is one process with one connection: holding it would block the run itself, and there is
// no other instance to fence.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export async function withSingletonLock<T>(
  db: Kysely<Database>,
  engine: 'pglite' | 'postgres',
  key: number,
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  if (engine === 'pglite') return { ran: true, value: await fn() };
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${key}) AS locked`.execute(conn);
    if (!rows[0]?.locked) return { ran: false } as const;
    try {
      return { ran: true, value: await fn() } as const;
    } finally {
      await sql`SELECT pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}
