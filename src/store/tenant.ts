// Transactions scoped to one organization. Row-level security shows a statement only the rows of
// the organization its transaction set, so a forgotten WHERE clause cannot read another tenant.
// The organization always comes from the caller's AuthContext, never from request input.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { storeContextOf } from './store-context.ts';

export type Tx = Transaction<Database>;

/**
 * A transaction-scoped advisory lock taken in the same statement that scopes the transaction to
 * its organization (one round trip less for writers that serialise on a lock first). The next
 * statement reads with a snapshot taken after the lock is held (READ COMMITTED).
 */
export interface TenantLock {
  key: string;
  mode: 'shared' | 'exclusive';
}

export async function inTenant<T>(
  db: Kysely<Database>,
  organizationId: string,
  fn: (tx: Tx) => Promise<T>,
  options: { lock?: TenantLock } = {},
): Promise<T> {
  if (!organizationId) throw new TypeError('inTenant needs an organization id');
  const { lock } = options;
  const result = await db.transaction().execute(async (tx) => {
    if (!lock) await sql`SELECT set_config('gatehouse.organization_id', ${organizationId}, true)`.execute(tx);
    else if (lock.mode === 'shared')
      await sql`SELECT set_config('gatehouse.organization_id', ${organizationId}, true),
        pg_advisory_xact_lock_shared(hashtext(${lock.key}))`.execute(tx);
    else
      await sql`SELECT set_config('gatehouse.organization_id', ${organizationId}, true),
        pg_advisory_xact_lock(hashtext(${lock.key}))`.execute(tx);
    return withHooks(tx, fn);
  });
  await runAfterCommit(db, result);
  return result.value;
}

/**
 * A transaction that sees every tenant: for system work that is not on behalf of one tenant
 * (webhook intake, reconciliation, super-admin listings, audit verification of all chains).
 * Callers name why, so every bypass is greppable and reviewable.
 */
export async function asSystem<T>(db: Kysely<Database>, _reason: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // The bypass opens only with the store's secret key (see store-context.ts): a statement running
  // as the app role cannot switch it on by setting a value it can guess.
  const key = storeContextOf(db)?.systemKey;
  if (!key) throw new TypeError('asSystem needs a store opened by openStore on a migrated database');
  const result = await db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('gatehouse.rls_bypass', ${key}, true)`.execute(tx);
    return withHooks(tx, fn);
  });
  await runAfterCommit(db, result);
  return result.value;
}

type AfterCommit = (db: Kysely<Database>) => Promise<void>;
// Work that must follow a commit (and must not run if the transaction rolls back), keyed by the
// transaction object so that nothing outlives it.
const afterCommitHooks = new WeakMap<Tx, Map<string | symbol, AfterCommit>>();

/**
 * Runs `hook` once the transaction `tx` (opened by inTenant or asSystem) has committed. Hooks
 * registered under the same `key` run once (a batch of audit entries integrates once per tenant).
 */
export function afterCommit(tx: Tx, hook: AfterCommit, key: string | symbol = Symbol('hook')): void {
  const hooks = afterCommitHooks.get(tx) ?? new Map<string | symbol, AfterCommit>();
  afterCommitHooks.set(tx, hooks);
  if (!hooks.has(key)) hooks.set(key, hook);
}

async function withHooks<T>(tx: Tx, fn: (tx: Tx) => Promise<T>): Promise<{ value: T; hooks: AfterCommit[] }> {
  const value = await fn(tx);
  return { value, hooks: [...(afterCommitHooks.get(tx)?.values() ?? [])] };
}

async function runAfterCommit(db: Kysely<Database>, result: { hooks: AfterCommit[] }): Promise<void> {
  // The transaction is committed: a failing hook must not report the caller's change as failed,
  // but it is said (its work, e.g. integrating audit entries, is picked up again by the next run).
  for (const hook of result.hooks)
    await hook(db).catch((error: unknown) =>
      process.emitWarning(
        `after-commit work failed: ${(error as Error)?.message ?? String(error)}`,
        'GatehouseWarning',
      ),
    );
}
