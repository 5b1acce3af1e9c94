// Directory semantics: what a directory user's state means for their access. Every function here
// is idempotent and driven by the mirror's current state, not by the event that triggered it, so
// replays, duplicates and reordered deliveries converge on the same memberships and roles.
//   active directory user, linked to a Gatehouse user -> active membership, role from groups
//   inactive/suspended/deleted                        -> membership inactive, credentials revoked
import { sql, type RawBuilder } from 'kysely';
import { newId } from '../core/ids.ts';
import type { RoleSource } from '../store/schema.ts';
import type { Tx } from '../store/tenant.ts';
import { audit, directoryActor, type ApplyContext } from './context.ts';

export interface DirectoryUserState {
  organization_id: string;
  id: string;
  directory_id: string;
  email: string | null;
  state: string;
  user_id: string | null;
  deleted_at: Date | null;
}

async function loadDirectoryUser(tx: Tx, organizationId: string, id: string): Promise<DirectoryUserState | undefined> {
  return tx
    .selectFrom('directory_users')
    .select(['organization_id', 'id', 'directory_id', 'email', 'state', 'user_id', 'deleted_at'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Links the directory user if it can be linked, then brings the person's membership in line with
 * its state. Linking does not depend on the state: a suspended or deleted directory user whose
 * person appears later is linked too, and that is when its deprovisioning applies (the row's
 * state is what remembers it), so no order of arrival leaves a suspended person with access.
 */
export async function syncDirectoryUserAccess(
  ctx: ApplyContext,
  organizationId: string,
  directoryUserId: string,
  current?: DirectoryUserState,
  options: { linkDecided?: boolean } = {},
): Promise<void> {
  const loaded = current ?? (await loadDirectoryUser(ctx.tx, organizationId, directoryUserId));
  if (!loaded) return;
  // `linkDecided`: `current` was written by the statement before last, which chose its link with
  // the email's link lock held and the organization's lock held (no membership or domain of the
  // organization can have committed since): asking again would give the same answer.
  // Linking writes the row, so it waits for any transaction that has written it meanwhile (a
  // directory's deletion tombstones its users without the email's lock) and returns the row as
  // committed: that state, not the one read before, decides between provisioning and removing.
  const du = loaded.user_id !== null || options.linkDecided ? loaded : await linkByEmail(ctx.tx, loaded);
  const userId = du?.user_id;
  if (!du || !userId) return; // no linkable Gatehouse user yet: linked (and provisioned or not) when one appears
  const active = du.deleted_at === null && du.state === 'active';
  if (!active) {
    await deprovision(
      ctx,
      du.organization_id,
      userId,
      du.directory_id,
      du.deleted_at ? 'directory_user_deleted' : `directory_user_${du.state}`,
    );
    return;
  }
  await provision(ctx, du.organization_id, userId, du.directory_id);
  await recomputeRole(ctx, du.organization_id, du.id);
}

/**
 * SQL: the Gatehouse user a directory user of `organizationId` with `email` may be linked to.
 * Threat: a directory is the customer's IdP, and any organization can push any email address
 * through SCIM. Linking on email alone would let one tenant pull an unrelated person's account
 * into its organization. So the email must be on a domain the organization has verified, or the
 * user must already be a member there (signed in before, invited).
 */
export function linkableUser(organizationId: string, email: string | null | RawBuilder<string | null>) {
  const address = typeof email === 'string' || email === null ? sql`${email}::text` : email;
  return sql<string | null>`(
    SELECT gu.id FROM users gu
    WHERE lower(gu.email) = lower(${address}) AND gu.deleted_at IS NULL
      AND (EXISTS (SELECT 1 FROM organization_memberships om WHERE om.organization_id = ${organizationId} AND om.user_id = gu.id AND om.deleted_at IS NULL)
        OR EXISTS (SELECT 1 FROM organization_domains od WHERE od.organization_id = ${organizationId} AND od.deleted_at IS NULL
                   AND od.state IN ('verified', 'legacy_verified') AND lower(od.domain) = lower(split_part(gu.email, '@', 2))))
    ORDER BY gu.id LIMIT 1)`;
}

/** The row as linked (user_id set, as committed after any concurrent writer), or undefined. */
async function linkByEmail(tx: Tx, du: DirectoryUserState): Promise<DirectoryUserState | undefined> {
  if (!du.email) return undefined;
  return tx
    .updateTable('directory_users')
    .set({ user_id: linkableUser(du.organization_id, du.email) })
    .where('organization_id', '=', du.organization_id)
    .where('id', '=', du.id)
    .where('user_id', 'is', null)
    .returning(['organization_id', 'id', 'directory_id', 'email', 'state', 'user_id', 'deleted_at'])
    .executeTakeFirst();
}

/**
 * A Gatehouse user appeared or changed (user.created/updated; the caller holds the link locks of
 * the user and its email): link and sync every directory user with that email, tombstones too.
 */
export async function linkDirectoryUsersOf(ctx: ApplyContext, _userId: string, email: string): Promise<void> {
  if (!email) return;
  const rows = await ctx.tx
    .selectFrom('directory_users')
    .select(['organization_id', 'id'])
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('user_id', 'is', null)
    .orderBy('organization_id')
    .orderBy('id')
    .execute();
  for (const r of rows) await syncDirectoryUserAccess(ctx, r.organization_id, r.id);
}

/**
 * A membership of `userId` in the organization was written (the caller holds the link locks):
 * directory users it makes linkable are linked and synced, and a linked directory user that is
 * suspended, inactive or deleted takes the membership the event may have just activated.
 */
export async function enforceDirectoryOnMember(
  ctx: ApplyContext,
  organizationId: string,
  userId: string,
  email: string | null,
): Promise<void> {
  const rows = await ctx.tx
    .selectFrom('directory_users')
    .select(['id', 'user_id', 'state', 'deleted_at'])
    .where('organization_id', '=', organizationId)
    .where((eb) =>
      eb.or([
        eb('user_id', '=', userId),
        eb.and([eb('user_id', 'is', null), eb(sql`lower(email)`, '=', (email ?? '').toLowerCase())]),
      ]),
    )
    .orderBy('id')
    .execute();
  for (const r of rows) {
    if (r.user_id === null || r.deleted_at !== null || r.state !== 'active')
      await syncDirectoryUserAccess(ctx, organizationId, r.id);
  }
}

async function provision(
  ctx: ApplyContext,
  organizationId: string,
  userId: string,
  directoryId: string,
): Promise<void> {
  const { tx } = ctx;
  const membership = await tx
    .selectFrom('organization_memberships')
    .select(['id', 'status'])
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (membership?.status === 'active') return;
  if (membership) {
    await tx
      .updateTable('organization_memberships')
      .set({ status: 'active', updated_at: sql`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', membership.id)
      .execute();
  } else {
    const org = await tx
      .selectFrom('organizations')
      .select('default_role_slug')
      .where('id', '=', organizationId)
      .executeTakeFirst();
    await tx
      .insertInto('organization_memberships')
      .values({
        organization_id: organizationId,
        id: newId('om'),
        user_id: userId,
        role_slug: org?.default_role_slug ?? 'member',
        status: 'active',
        source: 'directory',
      })
      .execute();
  }
  ctx.note('memberships', membership ? 'updated' : 'created');
  await audit(ctx, organizationId, 'directory.user_provisioned', directoryActor(directoryId), {
    type: 'user',
    id: userId,
  });
}

/** Deactivates the user's membership and revokes their sessions and personal API keys everywhere. */
export async function deprovision(
  ctx: ApplyContext,
  organizationId: string,
  userId: string,
  directoryId: string,
  reason: string,
): Promise<void> {
  const { tx } = ctx;
  const changed = await tx
    .updateTable('organization_memberships')
    .set({ status: 'inactive', updated_at: sql`now()` })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('status', '!=', 'inactive')
    .returning('id')
    .execute();
  if (changed.length === 0) return;
  ctx.note('memberships', 'deprovisioned');
  await ctx.access.revokeCredentials?.(ctx, { organizationId, userId, reason });
  await ctx.access.revoke(tx, { kind: 'membership', organizationId, userId });
  await ctx.access.revoke(tx, { kind: 'user', userId, organizationId });
  await audit(
    ctx,
    organizationId,
    'directory.user_deprovisioned',
    directoryActor(directoryId),
    { type: 'user', id: userId },
    { reason },
  );
}

/**
 * Group-to-role mapping: the member's role is the mapped role of their highest-priority group
 * (ties broken by role slug, so the answer never depends on arrival order). A member in no mapped
 * group keeps their role unless a mapping gave it (role_source 'mapping'): then it was the
 * mapping's to take back, and they return to the role they held before (or the default role). Roles set by hand or by the
 * provider are never touched by a mapping that does not cover the member.
 *
 * The provider holds the truth about memberships (DESIGN.md: mirror, not source of truth), so a
 * mapped role is also written to WorkOS, after commit, through the same organization-admin call
 * an admin's role change uses; its membership event and `reconcile --full` then agree with the
 * mapping instead of undoing it.
 */
export async function recomputeRole(
  ctx: ApplyContext,
  organizationId: string,
  directoryUserId: string,
  options: RecomputeOptions = {},
): Promise<void> {
  const { tx } = ctx;
  const du = await loadDirectoryUser(tx, organizationId, directoryUserId);
  if (!du?.user_id || du.deleted_at !== null || du.state !== 'active') return;
  const membership = await tx
    .selectFrom('organization_memberships')
    .select(['id', 'role_slug', 'role_source', 'role_before_mapping', 'provider_updated_at'])
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', du.user_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!membership) return;
  const mapped = await tx
    .selectFrom('directory_group_role_mappings as m')
    .innerJoin('directory_group_members as gm', (j) =>
      j.onRef('gm.organization_id', '=', 'm.organization_id').onRef('gm.group_id', '=', 'm.directory_group_id'),
    )
    .innerJoin('directory_groups as g', (j) =>
      j.onRef('g.organization_id', '=', 'm.organization_id').onRef('g.id', '=', 'm.directory_group_id'),
    )
    .select('m.role_slug')
    .where('m.organization_id', '=', organizationId)
    .where('gm.directory_user_id', '=', directoryUserId)
    .where('gm.present', '=', true)
    .where('g.deleted_at', 'is', null)
    .orderBy('m.priority', 'desc')
    .orderBy('m.role_slug')
    .executeTakeFirst();
  let role: string;
  let source: RoleSource;
  if (mapped) {
    role = mapped.role_slug;
    source = 'mapping';
  } else if (membership.role_source === 'mapping') {
    role = await roleBeforeMapping(ctx, organizationId, membership.role_before_mapping);
    source = 'provider';
  } else {
    return;
  }
  // Remember what the member held before a mapping first took over, to give it back later.
  const before =
    source === 'mapping'
      ? membership.role_source === 'mapping'
        ? membership.role_before_mapping
        : membership.role_slug
      : null;
  if (membership.role_slug === role) {
    if (membership.role_source !== source) await setRole(ctx, organizationId, membership.id, role, source, before);
    return;
  }
  if (
    options.keepLastAdmin &&
    membership.role_slug === 'admin' &&
    !(await anotherAdmin(ctx, organizationId, membership.id))
  ) {
    await audit(
      ctx,
      organizationId,
      'directory.role_change_skipped',
      directoryActor(du.directory_id),
      { type: 'user', id: du.user_id },
      { role, reason: 'last_admin' },
    );
    return;
  }
  await setRole(ctx, organizationId, membership.id, role, source, before);
  // Cached credentials carry the old role's permissions: drop them everywhere.
  await ctx.access.revoke(tx, { kind: 'membership', organizationId, userId: du.user_id });
  await audit(
    ctx,
    organizationId,
    'directory.role_changed',
    directoryActor(du.directory_id),
    { type: 'user', id: du.user_id },
    { role },
  );
  // Only a membership the provider has announced has an id it knows; a local one is adopted
  // later, and this same recompute then runs on its membership event.
  if (membership.provider_updated_at !== null)
    ctx.access.writeMembershipRole?.(ctx, { organizationId, membershipId: membership.id, role });
}

export interface RecomputeOptions {
  /** Removing a mapping never leaves the organization without an active admin. */
  keepLastAdmin?: boolean;
}

async function setRole(
  ctx: ApplyContext,
  organizationId: string,
  membershipId: string,
  role: string,
  source: RoleSource,
  before: string | null,
): Promise<void> {
  await ctx.tx
    .updateTable('organization_memberships')
    .set({ role_slug: role, role_source: source, role_before_mapping: before, updated_at: sql`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', membershipId)
    .execute();
}

/**
 * The role a mapping gives back: the one held before it took over, while that role still exists;
 * else the organization's default. Threat: falling back to the default alone could raise a member
 * whose own role was narrower than the default, by nothing more than removing a mapping.
 */
async function roleBeforeMapping(ctx: ApplyContext, organizationId: string, before: string | null): Promise<string> {
  if (before) {
    const builtIn = await ctx.tx.selectFrom('roles').select('slug').where('slug', '=', before).executeTakeFirst();
    const custom =
      builtIn ??
      (await ctx.tx
        .selectFrom('organization_roles')
        .select('slug')
        .where('organization_id', '=', organizationId)
        .where('slug', '=', before)
        .executeTakeFirst());
    if (custom) return before;
  }
  const org = await ctx.tx
    .selectFrom('organizations')
    .select('default_role_slug')
    .where('id', '=', organizationId)
    .executeTakeFirst();
  return org?.default_role_slug ?? 'member';
}

async function anotherAdmin(ctx: ApplyContext, organizationId: string, membershipId: string): Promise<boolean> {
  const other = await ctx.tx
    .selectFrom('organization_memberships')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('role_slug', '=', 'admin')
    .where('status', '=', 'active')
    .where('deleted_at', 'is', null)
    .where('id', '!=', membershipId)
    .limit(1)
    .executeTakeFirst();
  return other !== undefined;
}

/** The member's linked directory users, recomputed (after the provider announced a membership change). */
export async function recomputeMember(ctx: ApplyContext, organizationId: string, userId: string): Promise<void> {
  const linked = await ctx.tx
    .selectFrom('directory_users')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .execute();
  for (const du of linked) await recomputeRole(ctx, organizationId, du.id);
}

/** Recomputes every member of a group (after the group itself changed or was deleted). */
export async function recomputeGroupMembers(
  ctx: ApplyContext,
  organizationId: string,
  groupId: string,
  options: RecomputeOptions = {},
): Promise<void> {
  const members = await ctx.tx
    .selectFrom('directory_group_members')
    .select('directory_user_id')
    .where('organization_id', '=', organizationId)
    .where('group_id', '=', groupId)
    .execute();
  for (const m of members) await recomputeRole(ctx, organizationId, m.directory_user_id, options);
}
