// dsync.* handlers: directories, directory users, groups and group memberships into the mirror,
// each write guarded by the row's version, then the access effects (provisioning.ts).
import { sql } from 'kysely';
import { z } from 'zod';
import {
  audit,
  directoryActor,
  ensureOrganization,
  parseData,
  type ApplyContext,
  type ApplyOutcome,
} from './context.ts';
import { lockLinkEmails } from './link-locks.ts';
import {
  deprovision,
  linkableUser,
  recomputeGroupMembers,
  syncDirectoryUserAccess,
  type DirectoryUserState,
} from './provisioning.ts';
import { insertedFlag, newerThanRow, versionColumns } from './version.ts';

export const DirectorySchema = z.object({
  id: z.string(),
  organization_id: z.string(),
  name: z.string().nullish(),
  type: z.string().nullish(),
  state: z.string().nullish(),
});
export const DirectoryUserSchema = z.object({
  id: z.string(),
  directory_id: z.string(),
  organization_id: z.string(),
  idp_id: z.string().nullish(),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  state: z.string(),
  emails: z.array(z.object({ primary: z.boolean().nullish(), value: z.string().nullish() })).nullish(),
});
export const DirectoryGroupSchema = z.object({
  id: z.string(),
  directory_id: z.string(),
  organization_id: z.string(),
  idp_id: z.string().nullish(),
  name: z.string(),
});
export const GroupMembershipSchema = z.object({
  directory_id: z.string(),
  user: DirectoryUserSchema,
  group: DirectoryGroupSchema,
});

export type DirectoryUserWire = z.infer<typeof DirectoryUserSchema>;
export type DirectoryGroupWire = z.infer<typeof DirectoryGroupSchema>;

export function primaryEmail(u: DirectoryUserWire): string | null {
  return u.email ?? u.emails?.find((e) => e.primary)?.value ?? u.emails?.[0]?.value ?? null;
}

/**
 * Upserts a directory user row if `ctx.version` is newer; the row as written, or undefined when
 * the version was stale. The one statement also, to keep the per-event transaction short, writes a
 * user of an already deleted directory as deleted (a late event about it must not bring it back),
 * and links the row to the Gatehouse user it may be linked to (provisioning.ts, linkableUser).
 */
async function writeDirectoryUser(
  ctx: ApplyContext,
  u: DirectoryUserWire,
  deletedEvent: boolean,
): Promise<DirectoryUserState | undefined> {
  await ensureOrganization(ctx, u.organization_id);
  const email = primaryEmail(u);
  // Serialises with a concurrent user.* of this email, so one of the two sees the other and links.
  await lockLinkEmails(ctx.tx, [email]);
  const at = ctx.version.at;
  const deletedAt = deletedEvent
    ? sql<Date>`${at}::timestamptz`
    : sql<Date | null>`(SELECT ${at}::timestamptz FROM directories d WHERE d.organization_id = ${u.organization_id} AND d.id = ${u.directory_id} AND d.deleted_at IS NOT NULL)`;
  const linked = linkableUser(u.organization_id, email);
  const values = {
    directory_id: u.directory_id,
    idp_id: u.idp_id ?? '',
    email,
    first_name: u.first_name ?? null,
    last_name: u.last_name ?? null,
    state: u.state,
    deleted_at: deletedAt,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('directory_users')
    .values({ organization_id: u.organization_id, id: u.id, ...values, user_id: linked })
    // A tombstone is final: WorkOS never reuses a directory user id.
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({
          ...values,
          user_id: sql`coalesce(directory_users.user_id, excluded.user_id)`,
          updated_at: sql`now()`,
        })
        .where(newerThanRow('directory_users', ctx.version))
        .where('directory_users.deleted_at', 'is', null),
    )
    .returning([insertedFlag, 'organization_id', 'id', 'directory_id', 'email', 'state', 'user_id', 'deleted_at'])
    .executeTakeFirst();
  if (!row) return undefined;
  ctx.note(
    'directory_users',
    row.deleted_at !== null || u.state !== 'active' ? 'deprovisioned' : row.inserted ? 'created' : 'updated',
  );
  return row;
}

async function onDirectoryUser(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  const u = parseData(DirectoryUserSchema, ctx);
  const row = await writeDirectoryUser(ctx, u, deleted);
  if (!row) return 'stale';
  const type = deleted
    ? 'directory.user_deleted'
    : ctx.event.event === 'dsync.user.created'
      ? 'directory.user_created'
      : 'directory.user_updated';
  await audit(
    ctx,
    u.organization_id,
    type,
    directoryActor(u.directory_id),
    { type: 'directory_user', id: u.id },
    { state: u.state },
  );
  if (deleted) {
    // Leaving the directory means leaving every group; mark the memberships gone at this version.
    await ctx.tx
      .updateTable('directory_group_members')
      .set({ present: false, ...versionColumns(ctx.version) })
      .where('organization_id', '=', u.organization_id)
      .where('directory_user_id', '=', u.id)
      .where(newerThanRow('directory_group_members', ctx.version))
      .execute();
  }
  // The row's link was decided by its own write, under the link lock (writeDirectoryUser).
  await syncDirectoryUserAccess(ctx, u.organization_id, u.id, row, { linkDecided: true });
  return 'applied';
}

/** A deleted directory takes everything in it along, including events about it that come late. */
async function directoryDeleted(ctx: ApplyContext, organizationId: string, directoryId: string): Promise<boolean> {
  const d = await ctx.tx
    .selectFrom('directories')
    .select('deleted_at')
    .where('organization_id', '=', organizationId)
    .where('id', '=', directoryId)
    .executeTakeFirst();
  return d?.deleted_at != null;
}

async function writeGroup(
  ctx: ApplyContext,
  g: DirectoryGroupWire,
  deletedEvent: boolean,
): Promise<{ deleted_at: Date | null } | undefined> {
  await ensureOrganization(ctx, g.organization_id);
  const deleted = deletedEvent || (await directoryDeleted(ctx, g.organization_id, g.directory_id));
  const values = {
    directory_id: g.directory_id,
    idp_id: g.idp_id ?? g.id,
    name: g.name,
    deleted_at: deleted ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('directory_groups')
    .values({ organization_id: g.organization_id, id: g.id, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('directory_groups', ctx.version))
        .where('directory_groups.deleted_at', 'is', null),
    )
    .returning([insertedFlag, 'deleted_at'])
    .executeTakeFirst();
  if (row) ctx.note('directory_groups', deleted ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  return row;
}

async function onGroup(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  const g = parseData(DirectoryGroupSchema, ctx);
  if (!(await writeGroup(ctx, g, deleted))) return 'stale';
  const type = deleted
    ? 'directory.group_deleted'
    : ctx.event.event === 'dsync.group.created'
      ? 'directory.group_created'
      : 'directory.group_updated';
  await audit(
    ctx,
    g.organization_id,
    type,
    directoryActor(g.directory_id),
    { type: 'directory_group', id: g.id },
    { name: g.name },
  );
  if (deleted) {
    await ctx.tx
      .updateTable('directory_group_members')
      .set({ present: false, ...versionColumns(ctx.version) })
      .where('organization_id', '=', g.organization_id)
      .where('group_id', '=', g.id)
      .where(newerThanRow('directory_group_members', ctx.version))
      .execute();
    await recomputeGroupMembers(ctx, g.organization_id, g.id);
  }
  return 'applied';
}

/** Writes one (group, user) membership fact if newer; true when written. */
async function writeGroupMember(
  ctx: ApplyContext,
  organizationId: string,
  directoryId: string,
  groupId: string,
  directoryUserId: string,
  present: boolean,
): Promise<boolean> {
  await ensureOrganization(ctx, organizationId);
  const values = { directory_id: directoryId, present, ...versionColumns(ctx.version) };
  const row = await ctx.tx
    .insertInto('directory_group_members')
    .values({ organization_id: organizationId, group_id: groupId, directory_user_id: directoryUserId, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'group_id', 'directory_user_id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('directory_group_members', ctx.version)),
    )
    .returning([insertedFlag, 'present'])
    .executeTakeFirst();
  if (row) ctx.note('group_members', present ? (row.inserted ? 'created' : 'updated') : 'deprovisioned');
  return row !== undefined;
}

async function onGroupMembership(ctx: ApplyContext, present: boolean): Promise<ApplyOutcome> {
  const { user, group, directory_id } = parseData(GroupMembershipSchema, ctx);
  // The event carries both entities as they were at this moment: mirror them too, so a membership
  // never points at a user or group we have not seen (each write still checks its own version).
  // Not counted as user or group changes in the drift report: this event is about the membership.
  const quiet: ApplyContext = { ...ctx, note: () => undefined };
  const userRow = await writeDirectoryUser(quiet, user, false);
  const groupRow = await writeGroup(quiet, group, false);
  // A late user_added for a user or group deleted since must not leave a live membership behind
  // (the deletion could only close memberships that had already arrived). A row this event just
  // wrote tells its state; otherwise a newer state is in the mirror and is read.
  const userLive = userRow
    ? userRow.deleted_at === null
    : await isLive(ctx, 'directory_users', user.organization_id, user.id);
  const groupLive = groupRow
    ? groupRow.deleted_at === null
    : await isLive(ctx, 'directory_groups', group.organization_id, group.id);
  const alive = present && userLive && groupLive;
  if (!(await writeGroupMember(ctx, group.organization_id, directory_id, group.id, user.id, alive))) return 'stale';
  await audit(
    ctx,
    group.organization_id,
    alive ? 'directory.group_user_added' : 'directory.group_user_removed',
    directoryActor(directory_id),
    { type: 'directory_user', id: user.id },
    { groupId: group.id },
  );
  // Provisions or deprovisions as the user's state says, and recomputes their role from groups.
  await syncDirectoryUserAccess(ctx, user.organization_id, user.id, userRow);
  return 'applied';
}

async function isLive(
  ctx: ApplyContext,
  table: 'directory_users' | 'directory_groups',
  organizationId: string,
  id: string,
): Promise<boolean> {
  const row = await ctx.tx
    .selectFrom(table)
    .select('deleted_at')
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined && row.deleted_at === null;
}

async function writeDirectory(
  ctx: ApplyContext,
  d: z.infer<typeof DirectorySchema>,
  deleted: boolean,
): Promise<boolean> {
  await ensureOrganization(ctx, d.organization_id);
  const values = {
    name: d.name ?? d.id,
    type: d.type ?? 'unknown',
    state: d.state ?? 'active',
    deleted_at: deleted ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('directories')
    .values({ organization_id: d.organization_id, id: d.id, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('directories', ctx.version))
        .where('directories.deleted_at', 'is', null),
    )
    .returning([insertedFlag])
    .executeTakeFirst();
  if (row) ctx.note('directories', deleted ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  return row !== undefined;
}

/**
 * Deleting a directory deprovisions every user in it. WorkOS sends no per-user events then, so
 * the users are tombstoned here, at the directory's deletion version.
 */
async function deprovisionDirectoryUsers(
  ctx: ApplyContext,
  organizationId: string,
  directoryId: string,
): Promise<void> {
  const users = await ctx.tx
    .updateTable('directory_users')
    .set({ deleted_at: ctx.version.at, ...versionColumns(ctx.version), updated_at: sql`now()` })
    .where('organization_id', '=', organizationId)
    .where('directory_id', '=', directoryId)
    .where('deleted_at', 'is', null)
    .returning(['id', 'user_id'])
    .execute();
  await ctx.tx
    .updateTable('directory_group_members')
    .set({ present: false, ...versionColumns(ctx.version) })
    .where('organization_id', '=', organizationId)
    .where('directory_id', '=', directoryId)
    .where('present', '=', true)
    .execute();
  await ctx.tx
    .updateTable('directory_groups')
    .set({ deleted_at: ctx.version.at, ...versionColumns(ctx.version) })
    .where('organization_id', '=', organizationId)
    .where('directory_id', '=', directoryId)
    .where('deleted_at', 'is', null)
    .execute();
  for (const u of users) {
    ctx.note('directory_users', 'deprovisioned');
    if (u.user_id) await deprovision(ctx, organizationId, u.user_id, directoryId, 'directory_deleted');
  }
}

async function onDirectory(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  const d = parseData(DirectorySchema, ctx);
  if (!(await writeDirectory(ctx, d, deleted))) return 'stale';
  await audit(ctx, d.organization_id, deleted ? 'directory.deleted' : 'directory.activated', directoryActor(d.id), {
    type: 'directory',
    id: d.id,
  });
  if (deleted) await deprovisionDirectoryUsers(ctx, d.organization_id, d.id);
  return 'applied';
}

export const directorySyncHandlers = {
  'dsync.activated': (ctx: ApplyContext) => onDirectory(ctx, false),
  'dsync.deleted': (ctx: ApplyContext) => onDirectory(ctx, true),
  'dsync.user.created': (ctx: ApplyContext) => onDirectoryUser(ctx, false),
  'dsync.user.updated': (ctx: ApplyContext) => onDirectoryUser(ctx, false),
  'dsync.user.deleted': (ctx: ApplyContext) => onDirectoryUser(ctx, true),
  'dsync.group.created': (ctx: ApplyContext) => onGroup(ctx, false),
  'dsync.group.updated': (ctx: ApplyContext) => onGroup(ctx, false),
  'dsync.group.deleted': (ctx: ApplyContext) => onGroup(ctx, true),
  'dsync.group.user_added': (ctx: ApplyContext) => onGroupMembership(ctx, true),
  'dsync.group.user_removed': (ctx: ApplyContext) => onGroupMembership(ctx, false),
};
