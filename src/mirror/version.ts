// Order tolerance (DESIGN.md §3.3). Every mirrored row stores the version it reflects as
// (provider_updated_at, last_event_id): the provider's time, then the event id to break ties
// inside one millisecond (WorkOS event ids are time-ordered ULIDs). A write lands only when its
// version is newer than the row's, so deliveries may arrive late, twice or shuffled and the row
// still ends at the newest state. Reconciliation listings and the copy a sign-in reads carry no
// event id: they land when their updated_at is at least the row's time; one with no time at all
// lands only on a row that has no version yet (a placeholder).
import { sql, type RawBuilder } from 'kysely';

export interface Version {
  /** ISO time the state is from: the event's created_at, or a listed entity's updated_at. */
  at: string;
  /** The event that carried this state; null for a reconciliation listing. */
  eventId: string | null;
}

/** A listed copy of an entity (no event id), whose provider time may be unknown. */
export interface ListedVersion {
  at: string | null;
  eventId: null;
}

/** SQL: is `v` newer than the row of `table` being upserted? */
export function newerThanRow(table: string, v: Version | ListedVersion): RawBuilder<boolean> {
  const at = sql.ref(`${table}.provider_updated_at`);
  const id = sql.ref(`${table}.last_event_id`);
  if (v.eventId === null) {
    const time = v.at ?? '-infinity';
    return sql<boolean>`${time}::timestamptz >= coalesce(${at}, '-infinity'::timestamptz)`;
  }
  return sql<boolean>`(${v.at}::timestamptz, ${v.eventId}::text) > (coalesce(${at}, '-infinity'::timestamptz), coalesce(${id}, ''))`;
}

export function versionColumns<V extends Version | ListedVersion>(
  v: V,
): { provider_updated_at: V['at']; last_event_id: string | null } {
  return { provider_updated_at: v.at, last_event_id: v.eventId };
}

/** `xmax = 0` on a RETURNING row means the upsert inserted it rather than updating it. */
export const insertedFlag = sql<boolean>`(xmax = 0)`.as('inserted');

/**
 * Like insertedFlag, but a row that was only a placeholder (no version yet: created because
 * another event mentioned it first) also counts as created. The sub-select runs on the statement's
 * snapshot, so it sees the row as it was before this upsert.
 */
export function createdFlag(table: 'organizations' | 'users') {
  return sql<boolean>`coalesce((SELECT prev.provider_updated_at IS NULL FROM ${sql.table(table)} prev WHERE prev.id = ${sql.ref(`${table}.id`)}), true)`.as(
    'inserted',
  );
}
