// Applies a run of one organization's dsync.* events set-based, inside the caller's transaction:
// the link locks of every email at once, one read per table of the rows before the run, the
// replay (directory-batch-plan.ts), then one multi-row upsert per table, one update for the group
// memberships that deleted users leave, and the run's audit entries appended together. The mirror
// ends exactly where the events' own handlers, one after the other, would have left it.
//
// The run is refused (null: the caller applies the events one by one) when a person's access could
// change: a directory user that is linked to a Gatehouse user, or whose email could be linked now.
// Provisioning, deprovisioning and role changes — and the revocations they publish — stay with the
// handlers, so revocation is exactly as immediate as it is for a single event.
import { sql } from 'kysely';
import { appendAuditEvents, type AuditEventInput } from '../audit/audit-log.ts';
import type { Tx } from '../store/tenant.ts';
import { directoryActor } from './context.ts';
import {
  groupValues,
  memberKey,
  RowReplay,
  userValues,
  type BatchItem,
  type GroupValues,
  type MemberValues,
  type PlannedWrite,
  type RowBefore,
  type UserValues,
} from './directory-batch-plan.ts';
import { lockLinkEmails } from './link-locks.ts';
import { linkableUser } from './provisioning.ts';

type Audit = Omit<AuditEventInput, 'organizationId'>;

interface Before {
  rows: Map<string, RowBefore & { userId?: string | null; email?: string | null }>;
  newer: boolean[];
}

/** Rows before the run, and per write whether its version is newer than its row (version.ts's rule). */
async function readBefore(
  tx: Tx,
  table: 'directory_users' | 'directory_groups' | 'directory_group_members',
  organizationId: string,
  writes: ReadonlyArray<{ key: string; a: string; b?: string; at: string; eid: string }>,
): Promise<Before> {
  if (writes.length === 0) return { rows: new Map(), newer: [] };
  const json = JSON.stringify(writes.map((w, i) => ({ i, a: w.a, b: w.b ?? null, at: w.at, eid: w.eid })));
  const join =
    table === 'directory_group_members' ? sql`r.group_id = w.a AND r.directory_user_id = w.b` : sql`r.id = w.a`;
  const extra =
    table === 'directory_users'
      ? sql`r.user_id, r.email, r.deleted_at IS NOT NULL AS deleted`
      : table === 'directory_groups'
        ? sql`NULL::text AS user_id, NULL::text AS email, r.deleted_at IS NOT NULL AS deleted`
        : sql`NULL::text AS user_id, NULL::text AS email, false AS deleted`;
  type Row = {
    i: number;
    exists: boolean;
    deleted: boolean;
    newer: boolean;
    user_id: string | null;
    email: string | null;
  };
  const { rows } = await sql<Row>`
    SELECT w.i, r.organization_id IS NOT NULL AS exists, ${extra},
      (w.at, w.eid) > (coalesce(r.provider_updated_at, '-infinity'::timestamptz), coalesce(r.last_event_id, ''))
        AS newer
    FROM jsonb_to_recordset(${json}::jsonb) AS w(i int, a text, b text, at timestamptz, eid text)
    LEFT JOIN ${sql.table(table)} r ON r.organization_id = ${organizationId} AND ${join}
    ORDER BY w.i`.execute(tx);
  const before: Before = { rows: new Map(), newer: [] };
  for (const r of rows) {
    before.newer[r.i] = r.newer;
    before.rows.set(writes[r.i]!.key, { exists: r.exists, deleted: r.deleted, userId: r.user_id, email: r.email });
  }
  return before;
}

/** Audit entries the events' handlers write, in the same words (directory-handlers.ts). */
function auditOf(item: BatchItem, alive?: boolean): Audit {
  const data = { providerEventId: item.event.id };
  if (item.kind === 'user') {
    const type = item.deleted
      ? 'directory.user_deleted'
      : item.event.event === 'dsync.user.created'
        ? 'directory.user_created'
        : 'directory.user_updated';
    const target = { type: 'directory_user', id: item.user.id };
    return { type, actor: directoryActor(item.user.directory_id), target, data: { state: item.user.state, ...data } };
  }
  if (item.kind === 'group') {
    const type = item.event.event === 'dsync.group.created' ? 'directory.group_created' : 'directory.group_updated';
    const target = { type: 'directory_group', id: item.group.id };
    return { type, actor: directoryActor(item.group.directory_id), target, data: { name: item.group.name, ...data } };
  }
  return {
    type: alive ? 'directory.group_user_added' : 'directory.group_user_removed',
    actor: directoryActor(item.directoryId),
    target: { type: 'directory_user', id: item.user.id },
    data: { groupId: item.group.id, ...data },
  };
}

/**
 * Applies `items` (in queue order) set-based; their outcomes in the same order, or null when a
 * person's access could change (the caller then applies them one by one, inside a savepoint it
 * rolls back to, so the locks taken here go with it). Throws when the database disagrees with the
 * replay (a concurrent writer): the caller rolls back and applies the events one by one.
 */
export async function applyDirectoryBatch(
  tx: Tx,
  organizationId: string,
  items: readonly BatchItem[],
): Promise<Array<'applied' | 'stale'> | null> {
  const versionOf = (item: BatchItem) => ({ at: item.event.created_at, eid: item.event.id });
  const userKeys: Array<{ key: string; a: string; at: string; eid: string }> = [];
  const groupKeys: Array<{ key: string; a: string; at: string; eid: string }> = [];
  const memberKeys: Array<{ key: string; a: string; b: string; at: string; eid: string }> = [];
  const emails: Array<string | null> = [];
  for (const item of items) {
    if (item.kind === 'user' || item.kind === 'member') {
      userKeys.push({ key: item.user.id, a: item.user.id, ...versionOf(item) });
      emails.push(userValues(item.user, '', false).email);
    }
    if (item.kind === 'group' || item.kind === 'member')
      groupKeys.push({ key: item.group.id, a: item.group.id, ...versionOf(item) });
    if (item.kind === 'member')
      memberKeys.push({
        key: memberKey(item.group.id, item.user.id),
        a: item.group.id,
        b: item.user.id,
        ...versionOf(item),
      });
  }
  // The same link locks the handlers take (link-locks.ts), all at once, before reading anything.
  await lockLinkEmails(tx, emails);
  const users = await readBefore(tx, 'directory_users', organizationId, userKeys);
  if ([...users.rows.values()].some((r) => r.userId)) return null;
  const candidates = [...new Set([...emails, ...[...users.rows.values()].map((r) => r.email ?? null)])].filter(
    (e): e is string => !!e,
  );
  if (candidates.length > 0) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM unnest(${candidates}::text[]) AS c(email)
      WHERE ${linkableUser(organizationId, sql.ref('c.email'))} IS NOT NULL`.execute(tx);
    if (Number(rows[0]?.n ?? 0) > 0) return null;
  }
  const groups = await readBefore(tx, 'directory_groups', organizationId, groupKeys);
  const members = await readBefore(tx, 'directory_group_members', organizationId, memberKeys);
  const directoryIds = [
    ...new Set(
      items.map((i) =>
        i.kind === 'member' ? i.directoryId : i.kind === 'user' ? i.user.directory_id : i.group.directory_id,
      ),
    ),
  ];
  const { rows: gone } = await sql<{ id: string }>`SELECT id FROM directories
    WHERE organization_id = ${organizationId} AND id = ANY(${directoryIds}::text[]) AND deleted_at IS NOT NULL`.execute(
    tx,
  );
  const deletedDirectories = new Set(gone.map((d) => d.id));

  // Replay, in queue order, exactly as the handlers decide (writeDirectoryUser, writeGroup,
  // onGroupMembership); each write's index into the reads above is its position per table.
  const absent: RowBefore = { exists: false, deleted: false };
  let u = 0;
  let g = 0;
  let m = 0;
  const index = new Map<PlannedWrite<unknown>, number>();
  const replay = <V>(tombstones: boolean, before: Before) =>
    new RowReplay<V>(
      tombstones,
      (key) => before.rows.get(key) ?? absent,
      (w) => before.newer[index.get(w as PlannedWrite<unknown>)!] === true,
    );
  const userRows = replay<UserValues>(true, users);
  const groupRows = replay<GroupValues>(true, groups);
  const memberRows = replay<MemberValues>(false, members);
  const audits: Audit[] = [];
  const outcomes: Array<'applied' | 'stale'> = [];
  const leftGroups: Array<{ id: string; at: string; eid: string }> = [];
  const writeUser = (item: BatchItem & { kind: 'user' | 'member' }, deletedEvent: boolean): boolean => {
    const { at } = versionOf(item);
    const deleted = deletedEvent || deletedDirectories.has(item.user.directory_id);
    const w = { key: item.user.id, event: item.event, values: userValues(item.user, at, deleted), deleted };
    index.set(w, u++);
    return userRows.write(w);
  };
  const writeGroup = (item: BatchItem & { kind: 'group' | 'member' }): boolean => {
    const deleted = deletedDirectories.has(item.group.directory_id);
    const values = groupValues(item.group, item.event.created_at, deleted);
    const w = { key: item.group.id, event: item.event, values, deleted };
    index.set(w, g++);
    return groupRows.write(w);
  };
  for (const item of items) {
    let lands: boolean;
    let alive: boolean | undefined;
    if (item.kind === 'user') {
      lands = writeUser(item, item.deleted);
      if (lands && item.deleted) leftGroups.push({ id: item.user.id, ...versionOf(item) });
    } else if (item.kind === 'group') {
      lands = writeGroup(item);
    } else {
      writeUser(item, false);
      writeGroup(item);
      alive = item.present && userRows.live(item.user.id) && groupRows.live(item.group.id);
      const values = {
        group_id: item.group.id,
        directory_user_id: item.user.id,
        directory_id: item.directoryId,
        present: alive,
      };
      const w = { key: memberKey(item.group.id, item.user.id), event: item.event, values, deleted: false };
      index.set(w, m++);
      lands = memberRows.write(w);
    }
    outcomes.push(lands ? 'applied' : 'stale');
    if (lands) audits.push(auditOf(item, alive));
  }

  await upsertUsers(tx, organizationId, userRows.finalWrites());
  await upsertGroups(tx, organizationId, groupRows.finalWrites());
  await upsertMembers(tx, organizationId, memberRows.finalWrites());
  if (leftGroups.length > 0) {
    // A deleted user leaves every group, at the deletion's version (as onDirectoryUser does);
    // after the membership upserts, so a newer membership fact of this run is not overwritten.
    await sql`UPDATE directory_group_members m SET present = false, provider_updated_at = d.at, last_event_id = d.eid
      FROM jsonb_to_recordset(${JSON.stringify(leftGroups)}::jsonb) AS d(id text, at timestamptz, eid text)
      WHERE m.organization_id = ${organizationId} AND m.directory_user_id = d.id
        AND (d.at, d.eid) >
          (coalesce(m.provider_updated_at, '-infinity'::timestamptz), coalesce(m.last_event_id, ''))`.execute(tx);
  }
  await appendAuditEvents(tx, organizationId, audits);
  return outcomes;
}

function expectWritten(table: string, expected: number, written: number): void {
  // Someone else changed a row between our read and our write: the replay no longer holds.
  if (expected !== written) throw new Error(`set-based apply of ${table}: ${written} of ${expected} rows written`);
}

// The guard of every upsert is the one the handlers use (newer version, no tombstone): under the
// organization's lock it holds for every row the replay wrote, and the count proves it.
const newer = (t: string) =>
  sql.raw(`(excluded.provider_updated_at, excluded.last_event_id) >
    (coalesce(${t}.provider_updated_at, '-infinity'::timestamptz), coalesce(${t}.last_event_id, ''))`);

async function upsertUsers(tx: Tx, org: string, writes: Array<PlannedWrite<UserValues>>): Promise<void> {
  if (writes.length === 0) return;
  const json = JSON.stringify(writes.map((w) => ({ ...w.values, at: w.event.created_at, eid: w.event.id })));
  const { rows } = await sql<{ id: string }>`
    INSERT INTO directory_users AS t (organization_id, id, directory_id, idp_id, email, first_name, last_name, state,
      deleted_at, provider_updated_at, last_event_id)
    SELECT ${org}, v.id, v.directory_id, v.idp_id, v.email, v.first_name, v.last_name, v.state, v.deleted_at,
      v.at, v.eid
    FROM jsonb_to_recordset(${json}::jsonb) AS v(id text, directory_id text, idp_id text, email text, first_name text,
      last_name text, state text, deleted_at timestamptz, at timestamptz, eid text)
    ON CONFLICT (organization_id, id) DO UPDATE SET directory_id = excluded.directory_id, idp_id = excluded.idp_id,
      email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name, state = excluded.state,
      deleted_at = excluded.deleted_at, provider_updated_at = excluded.provider_updated_at,
      last_event_id = excluded.last_event_id, updated_at = now()
    WHERE ${newer('t')} AND t.deleted_at IS NULL
    RETURNING t.id`.execute(tx);
  expectWritten('directory_users', writes.length, rows.length);
}

async function upsertGroups(tx: Tx, org: string, writes: Array<PlannedWrite<GroupValues>>): Promise<void> {
  if (writes.length === 0) return;
  const json = JSON.stringify(writes.map((w) => ({ ...w.values, at: w.event.created_at, eid: w.event.id })));
  const { rows } = await sql<{ id: string }>`
    INSERT INTO directory_groups AS t (organization_id, id, directory_id, idp_id, name, deleted_at,
      provider_updated_at, last_event_id)
    SELECT ${org}, v.id, v.directory_id, v.idp_id, v.name, v.deleted_at, v.at, v.eid
    FROM jsonb_to_recordset(${json}::jsonb) AS v(id text, directory_id text, idp_id text, name text,
      deleted_at timestamptz, at timestamptz, eid text)
    ON CONFLICT (organization_id, id) DO UPDATE SET directory_id = excluded.directory_id, idp_id = excluded.idp_id,
      name = excluded.name, deleted_at = excluded.deleted_at, provider_updated_at = excluded.provider_updated_at,
      last_event_id = excluded.last_event_id, updated_at = now()
    WHERE ${newer('t')} AND t.deleted_at IS NULL
    RETURNING t.id`.execute(tx);
  expectWritten('directory_groups', writes.length, rows.length);
}

async function upsertMembers(tx: Tx, org: string, writes: Array<PlannedWrite<MemberValues>>): Promise<void> {
  if (writes.length === 0) return;
  const json = JSON.stringify(writes.map((w) => ({ ...w.values, at: w.event.created_at, eid: w.event.id })));
  const { rows } = await sql<{ group_id: string }>`
    INSERT INTO directory_group_members AS t (organization_id, group_id, directory_user_id, directory_id, present,
      provider_updated_at, last_event_id)
    SELECT ${org}, v.group_id, v.directory_user_id, v.directory_id, v.present, v.at, v.eid
    FROM jsonb_to_recordset(${json}::jsonb) AS v(group_id text, directory_user_id text, directory_id text,
      present boolean, at timestamptz, eid text)
    ON CONFLICT (organization_id, group_id, directory_user_id) DO UPDATE SET directory_id = excluded.directory_id,
      present = excluded.present, provider_updated_at = excluded.provider_updated_at,
      last_event_id = excluded.last_event_id, updated_at = now()
    WHERE ${newer('t')}
    RETURNING t.group_id`.execute(tx);
  expectWritten('directory_group_members', writes.length, rows.length);
}
