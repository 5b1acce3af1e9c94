// Exactly-once intake (DESIGN.md §3.3). One transaction per event:
//   1. insert the inbox row keyed by the provider's event id — a duplicate conflicts and stops here
//      (a concurrent duplicate waits on the first one's uncommitted key, then sees the conflict);
//   2. take the organization's transaction-scoped advisory lock, so two events of one tenant apply
//      one after the other and cannot deadlock on the audit chain head and mirror rows
//      (steps 1 and 2 are one statement: every round trip is held under the tenant's lock);
//   3. run the handler: mirror writes, audit entries, revocations;
// and commit. Until the commit nothing is visible; a failure rolls all of it back, inbox row
// included, so the provider's retry (or reconciliation) applies the event later.
import { sql, type Kysely } from 'kysely';
import { redactSecrets } from '../audit/redact.ts';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';
import {
  runDeferred,
  type AccessRevoker,
  type ApplyContext,
  type MirrorChange,
  type MirrorKind,
} from '../mirror/context.ts';
import { clampEventTime, organizationOf, type ProviderEvent } from '../mirror/provider-event.ts';
import { EVENT_HANDLERS } from '../mirror/handlers.ts';

export type IngestOutcome = 'applied' | 'stale' | 'unhandled' | 'duplicate';

export interface IngestDeps {
  db: Kysely<Database>;
  access: AccessRevoker;
  /** Our clock, against which far-future event times are clamped (tests freeze it). */
  now?: () => number;
}

export interface IngestResult {
  outcome: IngestOutcome;
  changes: Array<{ kind: MirrorKind; change: MirrorChange }>;
}

/**
 * What the inbox keeps of an event: everything but secrets. A magic auth `code`, an invitation's
 * `token` or its accept link must not rest in the database for anyone with read access to find.
 */
export function storedPayload(event: ProviderEvent): string {
  const { accept_invitation_url: _link, ...data } = event.data;
  return JSON.stringify(redactSecrets({ ...event, data }));
}

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']); // serialization failure, deadlock
const MAX_TRIES = 5;

export async function ingestEvent(
  deps: IngestDeps,
  received: ProviderEvent,
  source: 'webhook' | 'events_api',
): Promise<IngestResult> {
  const event = clampEventTime(received, deps.now?.() ?? Date.now());
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestOnce(deps, event, source);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= MAX_TRIES || !code || !RETRYABLE_SQLSTATES.has(code)) throw error;
    }
  }
}

async function ingestOnce(
  deps: IngestDeps,
  event: ProviderEvent,
  source: 'webhook' | 'events_api',
): Promise<IngestResult> {
  const organizationId = organizationOf(event);
  const handler = Object.hasOwn(EVENT_HANDLERS, event.event) ? EVENT_HANDLERS[event.event] : undefined;
  // Notes are collected per attempt and handed out only after commit: a retried attempt must not
  // count its changes twice.
  const changes: IngestResult['changes'] = [];
  const deferred: Array<() => Promise<unknown>> = [];
  const outcome = await asSystem(deps.db, 'webhook intake: events name their own organization', async (tx) => {
    // One round trip: the organization's placeholder row (so tenant rows and the audit chain can
    // reference it), the inbox row, and — only if the inbox row was new — the organization's lock.
    const { rows } = await sql<{ id: string }>`
      WITH org AS (
        INSERT INTO organizations (id, name) SELECT ${organizationId}::text, ${organizationId}::text
        WHERE ${organizationId}::text IS NOT NULL ON CONFLICT (id) DO NOTHING
      )
      INSERT INTO webhook_events (id, type, organization_id, payload, provider_created_at, source, outcome)
      VALUES (${event.id}, ${event.event}, ${organizationId}, ${storedPayload(event)}::jsonb, ${event.created_at}::timestamptz, ${source}, ${handler ? 'applied' : 'unhandled'})
      ON CONFLICT (id) DO NOTHING
      RETURNING id, (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext(${`gatehouse.org:${organizationId ?? ''}`}))
                     WHERE ${organizationId}::text IS NOT NULL) AS locked) AS locks`.execute(tx);
    if (rows.length === 0) return 'duplicate' as const;
    if (!handler) return 'unhandled' as const;
    const ctx: ApplyContext = {
      tx,
      event,
      access: deps.access,
      version: { at: event.created_at, eventId: event.id },
      note: (kind, change) => changes.push({ kind, change }),
      defer: (task) => deferred.push(task),
      knownOrganizations: new Set(organizationId ? [organizationId] : []),
    };
    const result = await handler(ctx);
    if (result === 'stale')
      await tx.updateTable('webhook_events').set({ outcome: 'stale' }).where('id', '=', event.id).execute();
    return result;
  });
  // After commit: follow-up work that must not run for a rolled-back event. Its failure does not
  // undo the event (already committed); the mirror state it follows from stays authoritative.
  await runDeferred(deferred);
  return { outcome, changes: outcome === 'duplicate' ? [] : changes };
}
