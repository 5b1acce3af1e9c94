// The pure half of applying a run of dsync.* events set-based: which events qualify, the row writes
// each one makes, and — given what the database held before the run — which writes land, exactly
// as applying the events one after the other would decide it. No I/O here; directory-batch.ts
// reads the rows before, writes the outcome in a few multi-row statements and appends the audit.
//
// Why replaying in memory is exact: a queue batch is claimed in (created_at, id) order, which is the
// order of the versions the events carry (version.ts). So within one run, a later write to a row is
// always newer than an earlier one, and the only comparison that needs the database is a write's
// version against the row as it stood before the run (read once, per write, by the same SQL rule).
import type { ProviderEvent } from './provider-event.ts';
import {
  DirectoryGroupSchema,
  DirectoryUserSchema,
  GroupMembershipSchema,
  primaryEmail,
  type DirectoryGroupWire,
  type DirectoryUserWire,
} from './directory-handlers.ts';

export type BatchItem =
  | { kind: 'user'; event: ProviderEvent; user: DirectoryUserWire; deleted: boolean }
  | { kind: 'group'; event: ProviderEvent; group: DirectoryGroupWire }
  | {
      kind: 'member';
      event: ProviderEvent;
      directoryId: string;
      user: DirectoryUserWire;
      group: DirectoryGroupWire;
      present: boolean;
    };

/**
 * The event as a set-based item, or null when it must be applied by its own handler: other types
 * (deletions of groups and directories recompute roles), data of an unexpected shape (the handler
 * reports it), or an entity of another organization than the batch's.
 */
export function batchItemOf(event: ProviderEvent, organizationId: string): BatchItem | null {
  switch (event.event) {
    case 'dsync.user.created':
    case 'dsync.user.updated':
    case 'dsync.user.deleted': {
      const u = DirectoryUserSchema.safeParse(event.data);
      if (!u.success || u.data.organization_id !== organizationId) return null;
      return { kind: 'user', event, user: u.data, deleted: event.event === 'dsync.user.deleted' };
    }
    case 'dsync.group.created':
    case 'dsync.group.updated': {
      const g = DirectoryGroupSchema.safeParse(event.data);
      if (!g.success || g.data.organization_id !== organizationId) return null;
      return { kind: 'group', event, group: g.data };
    }
    case 'dsync.group.user_added':
    case 'dsync.group.user_removed': {
      const m = GroupMembershipSchema.safeParse(event.data);
      if (!m.success || m.data.user.organization_id !== organizationId) return null;
      if (m.data.group.organization_id !== organizationId) return null;
      const { directory_id: directoryId, user, group } = m.data;
      return { kind: 'member', event, directoryId, user, group, present: event.event === 'dsync.group.user_added' };
    }
    default:
      return null;
  }
}

/** A row as it stood before the run. */
export interface RowBefore {
  exists: boolean;
  deleted: boolean;
}

/** One write of the run: its row key, the event and whether its version beats the row before the run. */
export interface PlannedWrite<V> {
  key: string;
  event: ProviderEvent;
  values: V;
  /** Whether the row is a tombstone after this write. */
  deleted: boolean;
}

/**
 * The rows of one table as the run changes them. `tombstones`: a deleted row takes no later write
 * (directory users and groups); without it every newer write lands (group memberships).
 */
export class RowReplay<V> {
  private readonly after = new Map<string, { deleted: boolean; write: PlannedWrite<V> }>();

  private readonly tombstones: boolean;
  private readonly before: (key: string) => RowBefore;
  private readonly newerThanBefore: (write: PlannedWrite<V>) => boolean;

  constructor(
    tombstones: boolean,
    before: (key: string) => RowBefore,
    newerThanBefore: (write: PlannedWrite<V>) => boolean,
  ) {
    this.tombstones = tombstones;
    this.before = before;
    this.newerThanBefore = newerThanBefore;
  }

  /** Replays one write; true when it lands. */
  write(w: PlannedWrite<V>): boolean {
    const current = this.after.get(w.key);
    const lands = current
      ? !(this.tombstones && current.deleted)
      : !this.before(w.key).exists || (this.newerThanBefore(w) && !(this.tombstones && this.before(w.key).deleted));
    if (lands) this.after.set(w.key, { deleted: w.deleted, write: w });
    return lands;
  }

  /** Whether the row exists and is not a tombstone now. */
  live(key: string): boolean {
    const current = this.after.get(key);
    if (current) return !current.deleted;
    const b = this.before(key);
    return b.exists && !b.deleted;
  }

  /** The last landed write of every row the run changed: what the multi-row upsert writes. */
  finalWrites(): Array<PlannedWrite<V>> {
    return [...this.after.values()].map((a) => a.write);
  }
}

export interface UserValues {
  id: string;
  directory_id: string;
  idp_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  state: string;
  deleted_at: string | null;
}

export function userValues(u: DirectoryUserWire, at: string, deleted: boolean): UserValues {
  return {
    id: u.id,
    directory_id: u.directory_id,
    idp_id: u.idp_id ?? '',
    email: primaryEmail(u),
    first_name: u.first_name ?? null,
    last_name: u.last_name ?? null,
    state: u.state,
    deleted_at: deleted ? at : null,
  };
}

export interface GroupValues {
  id: string;
  directory_id: string;
  idp_id: string;
  name: string;
  deleted_at: string | null;
}

export function groupValues(g: DirectoryGroupWire, at: string, deleted: boolean): GroupValues {
  return {
    id: g.id,
    directory_id: g.directory_id,
    idp_id: g.idp_id ?? g.id,
    name: g.name,
    deleted_at: deleted ? at : null,
  };
}

export interface MemberValues {
  group_id: string;
  directory_user_id: string;
  directory_id: string;
  present: boolean;
}

export const memberKey = (groupId: string, directoryUserId: string): string => `${groupId}\u0000${directoryUserId}`;
