// Events that take access away (DESIGN.md §3.4: revocation is immediate). With durable
// acknowledgement these are not queued behind an organization's backlog: the receiver applies them
// before it answers, so the revocation is published in the transaction that commits the event and
// reaches every instance within the notification's latency — not after thousands of queued
// directory events. Applying one ahead of older queued events is safe: every mirrored row keeps
// the version it reflects, so the older events apply later as stale and cannot undo it.
import type { ProviderEvent } from './provider-event.ts';

const ALWAYS = new Set([
  'dsync.deleted',
  'dsync.user.deleted',
  'dsync.group.deleted',
  'dsync.group.user_removed',
  'user.deleted',
  'organization.deleted',
  'organization_membership.deleted',
  'organization_membership.updated',
  'session.revoked',
  'connection.deactivated',
  'connection.deleted',
]);

/** Whether applying the event can end someone's access (deactivation, deletion, suspension, removal). */
export function revokesAccess(event: ProviderEvent): boolean {
  if (ALWAYS.has(event.event)) return true;
  // A directory user leaving `active` (suspended, inactive) is deprovisioned.
  return event.event === 'dsync.user.updated' && event.data.state !== 'active';
}
