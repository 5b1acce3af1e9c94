// Reconciliation: the repair path beside the webhook fast path (DESIGN.md §2). It reads the Events
// API from the stored cursor and feeds every event through the same inbox as webhooks, so an event
// already delivered is a no-op and a missed one applies now, exactly once. `full` also walks the
// provider's lists (reconcile-full.ts) to repair drift no event explains. One run at a time across
// instances: a session-level advisory lock on a dedicated connection elects the runner.
import { sql, type Kysely } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';
import { parseProviderEvent } from '../mirror/provider-event.ts';
import { HANDLED_EVENT_TYPES } from '../mirror/handlers.ts';
import { listFailedEvents, readBacklog } from '../webhooks/apply-queue.ts';
import { ingestEvent } from '../webhooks/inbox.ts';
import { count, emptyReport, type DriftReport } from './drift-report.ts';
import { reconcileFull, type ReconcileDeps } from './reconcile-full.ts';
import { withSingletonLock } from '../store/singleton-lock.ts';

export type { ReconcileDeps };

export interface ReconcileOptions {
  organizationId?: string | undefined;
  full?: boolean;
  onProgress?: (message: string) => void;
}

// Any stable number: "the Gatehouse reconciler" among advisory locks.
export const RECONCILE_LOCK_KEY = 7_201_930_552;

function cursorName(organizationId: string | undefined): string {
  return organizationId ? `events:${organizationId}` : 'events';
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<DriftReport> {
  const report = emptyReport();
  const progress = options.onProgress ?? (() => undefined);
  const name = cursorName(options.organizationId);
  let cursor = await asSystem(
    deps.db,
    'reconciliation cursor',
    async (tx) =>
      (await tx.selectFrom('sync_cursors').select('cursor').where('name', '=', name).executeTakeFirst())?.cursor ??
      null,
  );
  progress(`events: reading from ${cursor ?? 'the beginning'}`);
  for (;;) {
    const page = await deps.client.listEvents({
      events: HANDLED_EVENT_TYPES,
      after: cursor,
      organizationId: options.organizationId,
      limit: 100,
    });
    for (const raw of page.data) {
      report.events.read++;
      let result: Awaited<ReturnType<typeof ingestEvent>>;
      try {
        result = await ingestEvent(deps, parseProviderEvent(raw), 'events_api');
      } catch (error) {
        // An event whose data no handler can read will never apply; count it and move on rather
        // than stall every later event behind it. Anything else (store down) stops the run.
        if (
          error instanceof AppError &&
          ['DIRECTORY_EVENT_INVALID', 'WEBHOOK_PAYLOAD_INVALID', 'WEBHOOK_PAYLOAD_TOO_DEEP'].includes(error.code)
        ) {
          report.events.invalid++;
          continue;
        }
        throw error;
      }
      report.events[result.outcome]++;
      for (const c of result.changes) count(report, c.kind, c.change);
    }
    const last = page.data.at(-1);
    if (last && typeof last.id === 'string') {
      cursor = last.id;
      await saveCursor(deps.db, name, cursor, null);
      if (report.events.read % 1000 < page.data.length)
        progress(`events: ${report.events.read} read, ${report.drift} changes so far`);
    }
    if (!page.list_metadata?.after || page.data.length === 0) break;
  }
  if (options.full) await reconcileFull(deps, report, { organizationId: options.organizationId, onProgress: progress });
  report.backlog = await readBacklog(deps.db, options.organizationId);
  if (report.backlog.failed > 0) {
    report.failedEvents = (await listFailedEvents(deps.db, options.organizationId)).map(
      ({ receivedAt: _r, ...f }) => f,
    );
  }
  await saveCursor(deps.db, name, cursor, report);
  return report;
}

async function saveCursor(
  db: Kysely<Database>,
  name: string,
  cursor: string | null,
  report: DriftReport | null,
): Promise<void> {
  await asSystem(db, 'reconciliation cursor', (tx) =>
    tx
      .insertInto('sync_cursors')
      .values({
        name,
        cursor,
        last_run_at: report ? new Date() : null,
        last_report: report ? JSON.stringify(report) : null,
      })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet(
            report
              ? { cursor, last_run_at: new Date(), last_report: JSON.stringify(report), updated_at: sql`now()` }
              : { cursor, updated_at: sql`now()` },
          ),
      )
      .execute(),
  );
}

/** Runs `fn` only if no other instance is reconciling (src/store/singleton-lock.ts). */
export function withReconcileLock<T>(
  db: Kysely<Database>,
  engine: 'pglite' | 'postgres',
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  return withSingletonLock(db, engine, RECONCILE_LOCK_KEY, fn);
}
