// Changing members and invitations, shared by the admin API and the admin pages. WorkOS holds the
// truth: each change goes to it first, is audited here with the admin as actor, and then reaches
// the local mirror through the provider's event (a webhook, or at once when `syncNow` pulls the
// Events API), so the mirror has one writer and one set of ordering rules.
import type { Kysely } from 'kysely';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import type { AdminInvitation, AdminMembership, OrganizationAdmin } from '../identity/organization-admin.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { listRoles, permissionsOfRole } from './roles.ts';
import { ensureProviderRole } from './provider-roles.ts';
import { enforceGrant, granterOf } from '../access/ceiling.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';

export interface MemberAdminDeps {
  db: Kysely<Database>;
  /** The install's permissions: what a role grants, for the ceiling. */
  permissions: PermissionCatalogue;
  admin: OrganizationAdmin;
  /**
   * Pulls the provider's latest events into the mirror now (the reconciler's incremental run).
   * It reports its own failure and does not throw: the webhook still brings the change.
   */
  syncNow?: ((organizationId: string) => Promise<void>) | undefined;
}

async function ownMembership(db: Kysely<Database>, orgId: string, membershipId: string) {
  const row = await inTenant(db, orgId, (tx) =>
    tx
      .selectFrom('organization_memberships')
      .select(['id', 'user_id', 'role_slug', 'status'])
      .where('organization_id', '=', orgId)
      .where('id', '=', membershipId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No member with that id in this organization');
  return row;
}

async function ownInvitation(db: Kysely<Database>, orgId: string, invitationId: string) {
  const row = await inTenant(db, orgId, (tx) =>
    tx
      .selectFrom('invitations')
      .select(['id', 'email', 'role_slug', 'state'])
      .where('organization_id', '=', orgId)
      .where('id', '=', invitationId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No invitation with that id in this organization');
  return row;
}

async function requireRole(deps: MemberAdminDeps, orgId: string, role: string): Promise<void> {
  const roles = await inTenant(deps.db, orgId, (tx) => listRoles(tx, orgId, deps.permissions));
  if (!roles.some((r) => r.slug === role))
    throw new AppError('REQUEST_INVALID', `Unknown role ${role}`, {
      details: { errors: [{ path: 'body.role', message: 'no such role in this organization' }] },
    });
}

function audit(
  db: Kysely<Database>,
  auth: AuthContext,
  orgId: string,
  type: string,
  target: { type: string; id: string },
  data: Record<string, unknown>,
) {
  return inTenant(db, orgId, (tx) =>
    appendAuditEvent(tx, { organizationId: orgId, type, actor: actorOf(auth), target, data }),
  );
}

async function settle(deps: MemberAdminDeps, orgId: string): Promise<void> {
  await deps.syncNow?.(orgId);
}

/** An admin cannot lock themself out by accident; another admin can. */
function refuseSelf(auth: AuthContext, userId: string, what: string): void {
  if (auth.principal.type === 'user' && auth.principal.userId === userId)
    throw new AppError('MEMBER_SELF_CHANGE', `You cannot ${what} your own membership`);
}

export async function changeMemberRole(
  deps: MemberAdminDeps,
  auth: AuthContext,
  orgId: string,
  membershipId: string,
  role: string,
): Promise<AdminMembership> {
  const current = await ownMembership(deps.db, orgId, membershipId);
  await requireRole(deps, orgId, role);
  const targetCurrent = await inTenant(deps.db, orgId, (tx) =>
    permissionsOfRole(tx, orgId, current.role_slug, deps.permissions),
  );
  await enforceGrant(deps.db, orgId, granterOf(auth, orgId, deps.permissions), {
    path: 'member.role',
    roleSlug: role,
    targetUserId: current.user_id,
    targetCurrent: targetCurrent ?? [],
  });
  // A custom role made before it was kept at WorkOS too is created there on first use.
  await ensureProviderRole(deps.db, deps.admin, orgId, role, actorOf(auth));
  const updated = await deps.admin.updateMembershipRole(membershipId, role);
  await inTenant(deps.db, orgId, async (tx) => {
    // Set by hand: a directory mapping that later goes away must not take this role back.
    await tx
      .updateTable('organization_memberships')
      .set({ role_source: 'manual' })
      .where('organization_id', '=', orgId)
      .where('id', '=', membershipId)
      .execute();
    await appendAuditEvent(tx, {
      organizationId: orgId,
      type: 'member.role_changed',
      actor: actorOf(auth),
      target: { type: 'user', id: current.user_id },
      data: { from: current.role_slug, to: role },
    });
  });
  await settle(deps, orgId);
  // Gatehouse's slug, not WorkOS's spelling of it.
  return { ...updated, roleSlug: role };
}

export async function setMemberActive(
  deps: MemberAdminDeps,
  auth: AuthContext,
  orgId: string,
  membershipId: string,
  active: boolean,
): Promise<AdminMembership> {
  const current = await ownMembership(deps.db, orgId, membershipId);
  if (!active) refuseSelf(auth, current.user_id, 'deactivate');
  const updated = active
    ? await deps.admin.reactivateMembership(membershipId)
    : await deps.admin.deactivateMembership(membershipId);
  await audit(
    deps.db,
    auth,
    orgId,
    active ? 'member.reactivated' : 'member.deactivated',
    { type: 'user', id: current.user_id },
    { previousStatus: current.status },
  );
  await settle(deps, orgId);
  return updated;
}

export async function removeMember(
  deps: MemberAdminDeps,
  auth: AuthContext,
  orgId: string,
  membershipId: string,
): Promise<void> {
  const current = await ownMembership(deps.db, orgId, membershipId);
  refuseSelf(auth, current.user_id, 'remove');
  await deps.admin.deleteMembership(membershipId);
  await audit(
    deps.db,
    auth,
    orgId,
    'member.removed',
    { type: 'user', id: current.user_id },
    { role: current.role_slug },
  );
  await settle(deps, orgId);
}

export async function inviteMember(
  deps: MemberAdminDeps,
  auth: AuthContext,
  orgId: string,
  input: { email: string; role: string },
): Promise<AdminInvitation> {
  await requireRole(deps, orgId, input.role);
  await enforceGrant(deps.db, orgId, granterOf(auth, orgId, deps.permissions), {
    path: 'invitation',
    roleSlug: input.role,
  });
  await ensureProviderRole(deps.db, deps.admin, orgId, input.role, actorOf(auth));
  const inviterUserId = auth.principal.type === 'user' ? auth.principal.userId : undefined;
  const invitation = await deps.admin.sendInvitation({
    organizationId: orgId,
    email: input.email.toLowerCase(),
    roleSlug: input.role,
    inviterUserId,
  });
  await inTenant(deps.db, orgId, async (tx) => {
    // The role at invite time is ours to remember: WorkOS's invitation object does not carry it.
    await tx
      .insertInto('invitations')
      .values({
        organization_id: orgId,
        id: invitation.id,
        email: invitation.email,
        state: invitation.state,
        role_slug: input.role,
        expires_at: invitation.expiresAt,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'id']).doUpdateSet({ role_slug: input.role }))
      .execute();
    await appendAuditEvent(tx, {
      organizationId: orgId,
      type: 'invitation.sent',
      actor: actorOf(auth),
      target: { type: 'invitation', id: invitation.id },
      data: { email: invitation.email, role: input.role },
    });
  });
  return { ...invitation, roleSlug: input.role };
}

export async function changeInvitation(
  deps: MemberAdminDeps,
  auth: AuthContext,
  orgId: string,
  invitationId: string,
  action: 'resend' | 'revoke',
): Promise<AdminInvitation> {
  const current = await ownInvitation(deps.db, orgId, invitationId);
  const updated =
    action === 'resend'
      ? await deps.admin.resendInvitation(invitationId)
      : await deps.admin.revokeInvitation(invitationId);
  await audit(
    deps.db,
    auth,
    orgId,
    action === 'resend' ? 'invitation.resent_by_admin' : 'invitation.revoked_by_admin',
    { type: 'invitation', id: invitationId },
    { email: current.email },
  );
  await settle(deps, orgId);
  return { ...updated, roleSlug: current.role_slug };
}
