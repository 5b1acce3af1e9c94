// Retention: what grows forever without it is pruned on a schedule, one instance at a time.
//   - webhook inbox rows (webhook_events) whose provider event time is older than
//     RETENTION_WEBHOOK_EVENTS_DAYS. Exactly-once (DESIGN.md §3.3) rests on the inbox remembering
//     every id WorkOS could still deliver: its webhook retries (days) and its Events API (events
//     up to 30 days old, which reconciliation reads). So the period is measured from the event's
//     own time and may not be shorter than 31 days (config.ts refuses less): an event pruned here
//     is one WorkOS can no longer send, and a replay inside the window is still a duplicate.
//   - sessions that ended (revoked, expired, idle-expired) more than RETENTION_SESSIONS_DAYS ago;
//     the audit trail keeps their story.
//   - mail that was sent, kept in the dev outbox or gave up (never pending mail) more than
//     RETENTION_MAIL_DAYS ago.
//   - one-time sign-in codes (AUTH_PROVIDER=local) created more than a day ago: dead after 10
//     minutes, counted by the request limits for 15, kept a little for an operator's questions.
// Sign-in state in progress lives in sealed, expiring cookies, not in the database: nothing to
// prune. The audit trail is never pruned (its rows cannot be deleted, by trigger and grant).
//
// Deletes run in batches, each its own short transaction, so a first run on a large table never
// holds locks that webhook intake or sign-ins wait on.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';
import { withSingletonLock } from '../store/singleton-lock.ts';

export interface RetentionPolicy {
  webhookEventsDays: number;
  sessionsDays: number;
  mailDays: number;
}

export type PrunedCounts = Record<'webhook_events' | 'sessions' | 'mail_outbox' | 'email_sign_in_codes', number>;

// Any stable number: "the Gatehouse retention run" among advisory locks.
export const RETENTION_LOCK_KEY = 7_201_930_553;
const DAY_MS = 24 * 3600 * 1000;

export interface PruneOptions {
  now?: Date;
  batchSize?: number;
}

/** One pass over every table; returns how many rows each lost. Callers hold the lock (withRetentionLock). */
export async function pruneOnce(
  db: Kysely<Database>,
  policy: RetentionPolicy,
  options: PruneOptions = {},
): Promise<PrunedCounts> {
  const now = options.now ?? new Date();
  const batch = options.batchSize ?? 1000;
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  const inboxCutoff = before(policy.webhookEventsDays);
  const sessionCutoff = before(policy.sessionsDays);
  const mailCutoff = before(policy.mailDays);
  const drain = async (statement: () => ReturnType<typeof sql<{ n: number }>>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await asSystem(db, 'retention: pruning past its period', async (tx) =>
        Number((await statement().execute(tx)).rows[0]?.n ?? 0),
      );
      total += n;
      if (n < batch) return total;
    }
  };
  return {
    webhook_events: await drain(
      () => sql<{ n: number }>`
      WITH gone AS (
        DELETE FROM webhook_events WHERE id IN (
          SELECT id FROM webhook_events WHERE provider_created_at < ${inboxCutoff}::timestamptz LIMIT ${batch})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
    ),
    sessions: await drain(
      () => sql<{ n: number }>`
      WITH gone AS (
        DELETE FROM sessions WHERE (organization_id, id) IN (
          SELECT organization_id, id FROM sessions
          WHERE least(coalesce(revoked_at, 'infinity'), expires_at, idle_expires_at) < ${sessionCutoff}::timestamptz
          LIMIT ${batch})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
    ),
    mail_outbox: await drain(
      () => sql<{ n: number }>`
      WITH gone AS (
        DELETE FROM mail_outbox WHERE id IN (
          SELECT id FROM mail_outbox
          WHERE status <> 'pending' AND coalesce(sent_at, created_at) < ${mailCutoff}::timestamptz LIMIT ${batch})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
    ),
    email_sign_in_codes: await drain(
      () => sql<{ n: number }>`
      WITH gone AS (
        DELETE FROM email_sign_in_codes WHERE id IN (
          SELECT id FROM email_sign_in_codes WHERE created_at < ${before(1)}::timestamptz LIMIT ${batch})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`,
    ),
  };
}

/** Runs `fn` only if no other instance is pruning (src/store/singleton-lock.ts). */
export function withRetentionLock<T>(
  db: Kysely<Database>,
  engine: 'pglite' | 'postgres',
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  return withSingletonLock(db, engine, RETENTION_LOCK_KEY, fn);
}
