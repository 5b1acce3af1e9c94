// Linking a directory user to its Gatehouse user is decided by rows that different events write:
// the user (user.* — global, so its transaction holds no organization lock), the directory user,
// the organization's verified domains and its memberships (all under the organization's lock).
// Two such transactions running at once each miss the other's uncommitted row, and nothing would
// link them later: a person the IdP then suspends would keep their access (the threat).
//
// So every writer of a link input takes transaction-scoped advisory locks named after what links:
//   phase 1  `user:<id>`      — the user's own events and membership events of that user;
//   phase 2  `email:<email>`  — the user's events, directory user writes, domain verification
//                               (for each waiting directory user on the domain).
// It takes them before it reads the other side and before any audit append, in this phase order
// and sorted inside a phase, so whichever of two conflicting transactions runs second sees the
// first one committed (READ COMMITTED: its next statement has a fresh snapshot) and links.
import { sql } from 'kysely';
import type { Tx } from '../store/tenant.ts';

function lockAll(tx: Tx, keys: string[]): Promise<unknown> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return Promise.resolve();
  // The ordered sub-select makes the lock order the order of the lock numbers, the same in every
  // writer (deadlock freedom between writers of one phase).
  return sql`SELECT count(pg_advisory_xact_lock(h)) FROM
    (SELECT DISTINCT hashtext(k) AS h FROM unnest(${unique}::text[]) AS k ORDER BY h) AS ordered`.execute(tx);
}

/** Phase 1: the Gatehouse users whose membership or own row this transaction writes. */
export function lockLinkUsers(tx: Tx, userIds: readonly string[]): Promise<unknown> {
  return lockAll(
    tx,
    userIds.map((id) => `gatehouse.link.user:${id}`),
  );
}

/** Phase 2: the (case-insensitive) emails whose link this transaction may decide. */
export function lockLinkEmails(tx: Tx, emails: ReadonlyArray<string | null | undefined>): Promise<unknown> {
  return lockAll(
    tx,
    emails
      .filter((e): e is string => typeof e === 'string' && e !== '')
      .map((e) => `gatehouse.link.email:${e.toLowerCase()}`),
  );
}
