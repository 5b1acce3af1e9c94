// The inbox as an apply queue (DESIGN.md §3.3: acknowledged once durable, applied in batches).
//   enqueueEvents  one statement: the inbox rows as `pending` (a duplicate conflicts and changes
//                  nothing) plus a NOTIFY that wakes the workers of every instance on commit
//                  (identical notifications of one transaction reach a listener once).
//   applyPending   one batch: an organization not being applied elsewhere (its transaction-scoped
//                  advisory lock, the same one inline intake takes, tried without waiting), its
//                  oldest pending events in created_at order (FOR UPDATE SKIP LOCKED), each handler
//                  inside a savepoint, the applied marks, all in one transaction; session ends and
//                  other follow-ups after the commit. An event whose handler fails rolls back to
//                  its savepoint alone and is retried with backoff, then parked `failed` with its
//                  error after MAX_APPLY_ATTEMPTS: never dropped, never blocking the rest for long.
// Exactly once: the mark and the effects commit together; a crash mid-batch rolls both back and
// the rows are pending again. Events naming no organization (user.*) form their own queue ('').
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem, type Tx } from '../store/tenant.ts';
import { applyDirectoryBatch } from '../mirror/directory-batch.ts';
import { batchItemOf, type BatchItem } from '../mirror/directory-batch-plan.ts';
import { runDeferred, type AccessRevoker, type ApplyContext } from '../mirror/context.ts';
import { organizationOf, type ProviderEvent } from '../mirror/provider-event.ts';
import { EVENT_HANDLERS } from '../mirror/handlers.ts';
import { storedPayload } from './inbox.ts';

export const APPLY_CHANNEL = 'gatehouse_webhook_pending';
export const MAX_APPLY_ATTEMPTS = 5;
export const DEFAULT_BATCH_SIZE = 200;
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export interface ApplyQueueDeps {
  db: Kysely<Database>;
  access: AccessRevoker;
  /** Told of every event a batch marked, after the batch committed (metrics: counts and lag). */
  onCommitted?: (event: { created_at: string }, outcome: 'applied' | 'stale' | 'unhandled') => void;
}

/** Stores a verified event as pending; false when the event id was already in the inbox. */
export async function enqueueEvent(
  db: Kysely<Database>,
  event: ProviderEvent,
  source: 'webhook' | 'events_api',
): Promise<boolean> {
  const [queued] = await enqueueEvents(db, [event], source);
  return queued === true;
}

/**
 * Stores verified events as pending in one statement (one commit, one NOTIFY however many rows);
 * per event, whether it was new. An id repeated inside `events` is new at most once, the first time.
 */
export async function enqueueEvents(
  db: Kysely<Database>,
  events: readonly ProviderEvent[],
  source: 'webhook' | 'events_api',
): Promise<boolean[]> {
  if (events.length === 0) return [];
  const first = new Map<string, number>();
  for (const [i, e] of events.entries()) if (!first.has(e.id)) first.set(e.id, i);
  const unique = [...first.values()].map((i) => events[i]!);
  const { rows } = await sql<{ id: string }>`
    INSERT INTO webhook_events
      (id, type, organization_id, payload, provider_created_at, source, outcome, status, next_attempt_at)
    SELECT e.id, e.type, e.org, e.payload::jsonb, e.at, ${source}, NULL, 'pending', now()
    FROM unnest(${unique.map((e) => e.id)}::text[], ${unique.map((e) => e.event)}::text[],
      ${unique.map(organizationOf)}::text[], ${unique.map(storedPayload)}::text[],
      ${unique.map((e) => e.created_at)}::timestamptz[]) AS e(id, type, org, payload, at)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, pg_notify(${APPLY_CHANNEL}, '')`.execute(db);
  const inserted = new Set(rows.map((r) => r.id));
  return events.map((e, i) => first.get(e.id) === i && inserted.has(e.id));
}

export interface Backlog {
  pending: number;
  failed: number;
  /** Age in seconds of the oldest pending event, 0 when none. */
  oldestPendingSeconds: number;
}

/** The whole install's backlog, or one organization's (its admin page). */
export async function readBacklog(db: Kysely<Database>, organizationId?: string): Promise<Backlog> {
  const org = organizationId ?? null;
  type Counts = { pending: number; failed: number; oldest: number | null };
  const { rows } = await asSystem(db, 'apply backlog for operators', (tx) =>
    sql<Counts>`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
      count(*) FILTER (WHERE status = 'failed')::int AS failed,
      extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'pending'))::float8 AS oldest
    FROM webhook_events WHERE status <> 'applied' AND (${org}::text IS NULL OR organization_id = ${org})`.execute(tx),
  );
  const r = rows[0];
  const oldestPendingSeconds = Math.max(0, Math.round(Number(r?.oldest ?? 0)));
  return { pending: Number(r?.pending ?? 0), failed: Number(r?.failed ?? 0), oldestPendingSeconds };
}

export interface FailedEvent {
  id: string;
  type: string;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
}

/** Events parked `failed`, newest first: what an operator must look at (a reconcile may repair them). */
export async function listFailedEvents(
  db: Kysely<Database>,
  organizationId?: string,
  limit = 20,
): Promise<FailedEvent[]> {
  const rows = await asSystem(db, 'failed events for operators', (tx) => {
    let q = tx
      .selectFrom('webhook_events')
      .select(['id', 'type', 'attempts', 'last_error', 'received_at'])
      .where('status', '=', 'failed');
    if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
    return q.orderBy('received_at', 'desc').limit(limit).execute();
  });
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    attempts: r.attempts,
    lastError: r.last_error,
    receivedAt: r.received_at,
  }));
}

interface PendingRow {
  id: string;
  type: string;
  payload: unknown;
  provider_created_at: Date;
  attempts: number;
}

/** Organizations with events due, oldest first ('' for events that name none). */
async function dueOrganizations(db: Kysely<Database>, limit: number): Promise<string[]> {
  const { rows } = await asSystem(db, 'apply queue reads every tenant', (tx) =>
    sql<{ org: string }>`
    SELECT coalesce(organization_id, '') AS org FROM webhook_events
    WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
    GROUP BY 1 ORDER BY min(provider_created_at) LIMIT ${limit}`.execute(tx),
  );
  return rows.map((r) => r.org);
}

export interface BatchResult {
  applied: number;
  failed: number;
  retried: number;
  /** Of `applied`, how many went through the set-based path (the rest through their handlers). */
  setBased: number;
}

/**
 * Applies one batch of one organization's due events, if no other worker holds that organization.
 * Returns null when the organization was busy or had nothing due.
 */
export async function applyOrganizationBatch(
  deps: ApplyQueueDeps,
  org: string,
  batchSize = DEFAULT_BATCH_SIZE,
): Promise<BatchResult | null> {
  const deferred: Array<() => Promise<unknown>> = [];
  const result = await asSystem(deps.db, 'apply queue: events name their own organization', async (tx) => {
    const { rows: got } = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_xact_lock(hashtext(${`gatehouse.org:${org}`})) AS locked`.execute(tx);
    if (!got[0]?.locked) return null;
    const { rows } = await sql<PendingRow>`
      SELECT id, type, payload, provider_created_at, attempts FROM webhook_events
      WHERE status = 'pending' AND coalesce(organization_id, '') = ${org}
        AND (next_attempt_at IS NULL OR next_attempt_at <= now())
      ORDER BY provider_created_at, id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`.execute(tx);
    if (rows.length === 0) return null;
    const counts: BatchResult = { applied: 0, failed: 0, retried: 0, setBased: 0 };
    // The organization's placeholder row outside every savepoint: tenant rows and the audit chain
    // reference it, and a rolled-back event must not take it along.
    if (org) {
      await sql`INSERT INTO organizations (id, name) VALUES (${org}, ${org}) ON CONFLICT (id) DO NOTHING`.execute(tx);
    }
    const marks: Array<{ id: string; outcome: string }> = [];
    const events = rows.map((row) => ({
      ...(row.payload as ProviderEvent),
      created_at: row.provider_created_at.toISOString(),
    }));
    // A run of directory events applies set-based; a run that cannot (a person's access could
    // change, an event fails) is halved until the parts can, down to single events, each through
    // its handler in a savepoint of its own (so a failing event is retried or parked alone).
    const applyRange = async (from: number, to: number, items: BatchItem[]): Promise<void> => {
      if (to - from >= MIN_SET_RUN && (await applyRun(tx, org, items, marks))) {
        counts.applied += to - from;
        counts.setBased += to - from;
        return;
      }
      if (to - from >= 2 * MIN_SET_RUN) {
        const mid = from + Math.floor((to - from) / 2);
        await applyRange(from, mid, items.slice(0, mid - from));
        await applyRange(mid, to, items.slice(mid - from));
        return;
      }
      for (let k = from; k < to; k++) await applyOne(deps, tx, org, rows[k]!, events[k]!, counts, marks, deferred);
    };
    for (let i = 0; i < rows.length; ) {
      const run: BatchItem[] = [];
      for (let item = org ? batchItemOf(events[i]!, org) : null; item; ) {
        run.push(item);
        const next = events[i + run.length];
        item = next ? batchItemOf(next, org) : null;
      }
      const to = i + Math.max(1, run.length);
      await applyRange(i, to, run);
      i = to;
    }
    if (marks.length > 0) {
      await sql`UPDATE webhook_events w
        SET status = 'applied', outcome = m.outcome, applied_at = now(), last_error = NULL
        FROM jsonb_to_recordset(${JSON.stringify(marks)}::jsonb) AS m(id text, outcome text)
        WHERE w.id = m.id`.execute(tx);
    }
    return { counts, marks, createdAt: new Map(rows.map((r) => [r.id, r.provider_created_at.toISOString()])) };
  });
  await runDeferred(deferred);
  if (!result) return null;
  for (const m of result.marks)
    deps.onCommitted?.({ created_at: result.createdAt.get(m.id)! }, m.outcome as 'applied' | 'stale' | 'unhandled');
  return result.counts;
}

/** Runs shorter than this are not worth the reads of the set-based path. */
const MIN_SET_RUN = 2;

/** A run set-based inside a savepoint; false (rolled back, nothing kept) when it must go event by event. */
async function applyRun(tx: Tx, org: string, run: BatchItem[], marks: Array<{ id: string; outcome: string }>) {
  await sql`SAVEPOINT apply_run`.execute(tx);
  try {
    const outcomes = await applyDirectoryBatch(tx, org, run);
    if (outcomes) {
      await sql`RELEASE SAVEPOINT apply_run`.execute(tx);
      for (const [k, item] of run.entries()) marks.push({ id: item.event.id, outcome: outcomes[k]! });
      return true;
    }
  } catch {
    // Whatever failed is found again, and retried or parked alone, by the per-event path.
  }
  await sql`ROLLBACK TO SAVEPOINT apply_run`.execute(tx);
  return false;
}

/** One event through its handler inside a savepoint: on failure it alone is rolled back and retried or parked. */
async function applyOne(
  deps: ApplyQueueDeps,
  tx: Tx,
  org: string,
  row: PendingRow,
  event: ProviderEvent,
  counts: BatchResult,
  marks: Array<{ id: string; outcome: string }>,
  deferred: Array<() => Promise<unknown>>,
): Promise<void> {
  const handler = Object.hasOwn(EVENT_HANDLERS, event.event) ? EVENT_HANDLERS[event.event] : undefined;
  const mine: Array<() => Promise<unknown>> = [];
  await sql`SAVEPOINT apply_event`.execute(tx);
  try {
    let outcome: 'applied' | 'stale' | 'unhandled' = 'unhandled';
    if (handler) {
      const ctx: ApplyContext = {
        tx,
        event,
        access: deps.access,
        version: { at: event.created_at, eventId: event.id },
        note: () => undefined,
        defer: (task) => mine.push(task),
        knownOrganizations: new Set(org ? [org] : []),
      };
      outcome = await handler(ctx);
    }
    await sql`RELEASE SAVEPOINT apply_event`.execute(tx);
    marks.push({ id: row.id, outcome });
    deferred.push(...mine);
    counts.applied++;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT apply_event`.execute(tx);
    if (RETRYABLE_SQLSTATES.has(String((error as { code?: unknown }).code))) {
      // A deadlock or serialization victim (its locks went with the savepoint): due again at
      // once, not counted, so a revocation behind it is not held up by a backoff.
      counts.retried++;
      return;
    }
    const attempts = row.attempts + 1;
    const parked = attempts >= MAX_APPLY_ATTEMPTS;
    // Backoff doubles from ten seconds; the error text names the failure, never event data.
    const message = `${String((error as { code?: string }).code ?? '')} ${(error as Error).message}`;
    await sql`UPDATE webhook_events SET attempts = ${attempts}, last_error = ${message.trim().slice(0, 500)},
      status = ${parked ? 'failed' : 'pending'},
      next_attempt_at = now() + make_interval(secs => ${10 * 2 ** (attempts - 1)})
      WHERE id = ${row.id}`.execute(tx);
    if (parked) counts.failed++;
    else counts.retried++;
  }
}

/** Applies due batches until none is left that this worker can take; the number of events applied. */
export async function drainQueue(deps: ApplyQueueDeps, batchSize = DEFAULT_BATCH_SIZE): Promise<number> {
  let total = 0;
  for (;;) {
    let progressed = false;
    for (const org of await dueOrganizations(deps.db, 50)) {
      const r = await applyOrganizationBatch(deps, org, batchSize);
      if (r && r.applied + r.failed + r.retried > 0) {
        progressed = true;
        total += r.applied;
      }
    }
    if (!progressed) return total;
  }
}
