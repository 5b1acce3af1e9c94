// Changing members and invitations. WorkOS holds the truth: each change goes to it first, is
// audited here with the admin as actor, and then reaches the local mirror through the provider's
// event (webhook, or an immediate Events API pull when `syncNow` is wired), so the mirror has one
// writer and the same ordering rules for every change.
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { appendAuditEvent } from '../../../audit/audit-log.ts';
import type { AuthContext } from '../../../core/auth-context.ts';
import { AppError } from '../../../core/errors.ts';
import type { AdminInvitation, AdminMembership, OrganizationAdmin } from '../../../identity/organization-admin.ts';
import { listRoles } from '../../../organizations/roles.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

export interface MemberAdminDeps {
  store: Store;
  admin: OrganizationAdmin;
  /** Pulls the provider's latest events into the mirror now (the reconciler's incremental run). */
  syncNow?: ((organizationId: string) => Promise<void>) | undefined;
}

const membershipView = z.object({ id: z.string(), userId: z.string(), organizationId: z.string(), role: z.string(), status: z.enum(['pending', 'active', 'inactive']) });
const invitationView = z.object({ id: z.string(), email: z.string(), state: z.enum(['pending', 'accepted', 'expired', 'revoked']), role: z.string().nullable(), expiresAt: z.string(), createdAt: z.string() });
const memberParams = z.strictObject({ orgId: idOf('org'), membershipId: idOf('om') });
const invitationParams = z.strictObject({ orgId: idOf('org'), invitationId: idOf('invitation') });
const roleSlug = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/);

const viewMembership = (m: AdminMembership) => ({ id: m.id, userId: m.userId, organizationId: m.organizationId, role: m.roleSlug, status: m.status });
const viewInvitation = (i: AdminInvitation, role: string | null = i.roleSlug) => ({ id: i.id, email: i.email, state: i.state, role, expiresAt: i.expiresAt, createdAt: i.createdAt });

export function memberAdminRoutes(api: Api, deps: MemberAdminDeps): void {
  const { store, admin } = deps;

  /** The membership must be this organization's: checked in the mirror before asking WorkOS. */
  const ownMembership = async (orgId: string, membershipId: string) => {
    const row = await inTenant(store.db, orgId, (tx) => tx.selectFrom('organization_memberships').select(['id', 'user_id', 'role_slug', 'status']).where('organization_id', '=', orgId).where('id', '=', membershipId).where('deleted_at', 'is', null).executeTakeFirst());
    if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No member with that id in this organization');
    return row;
  };
  const ownInvitation = async (orgId: string, invitationId: string) => {
    const row = await inTenant(store.db, orgId, (tx) => tx.selectFrom('invitations').select(['id', 'email', 'role_slug', 'state']).where('organization_id', '=', orgId).where('id', '=', invitationId).where('deleted_at', 'is', null).executeTakeFirst());
    if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No invitation with that id in this organization');
    return row;
  };
  const audit = (auth: AuthContext, orgId: string, type: string, target: { type: string; id: string }, data: Record<string, unknown>) =>
    inTenant(store.db, orgId, (tx) => appendAuditEvent(tx, { organizationId: orgId, type, actor: actorOf(auth), target, data }));
  const settle = async (orgId: string) => {
    await deps.syncNow?.(orgId).catch(() => undefined); // the webhook still brings the change if this fails
  };
  const noSelfLockout = (auth: AuthContext, userId: string, what: string) => {
    if (auth.principal.type === 'user' && auth.principal.userId === userId) throw new AppError('CONFLICT', `You cannot ${what} your own membership`);
  };

  api.add({
    method: 'patch',
    path: '/organizations/{orgId}/members/{membershipId}',
    summary: "Change a member's role",
    tag: 'Members',
    permission: 'members:manage',
    params: memberParams,
    body: z.strictObject({ role: roleSlug }),
    responses: { 200: { description: 'The membership as WorkOS now has it', schema: membershipView } },
    handler: async ({ params, body, auth }) => {
      const current = await ownMembership(params.orgId, params.membershipId);
      const roles = await inTenant(store.db, params.orgId, (tx) => listRoles(tx, params.orgId));
      if (!roles.some((r) => r.slug === body.role)) throw new AppError('REQUEST_INVALID', `Unknown role ${body.role}`, { details: { errors: [{ path: 'body.role', message: 'no such role in this organization' }] } });
      const updated = await admin.updateMembershipRole(params.membershipId, body.role);
      await audit(auth, params.orgId, 'member.role_changed', { type: 'user', id: current.user_id }, { from: current.role_slug, to: body.role });
      await settle(params.orgId);
      return { status: 200, body: viewMembership(updated) };
    },
  });

  for (const [action, summary] of [['deactivate', 'Deactivate a member (keeps the membership, ends access)'], ['reactivate', 'Reactivate a deactivated member']] as const) {
    api.add({
      method: 'post',
      path: `/organizations/{orgId}/members/{membershipId}/${action}`,
      summary,
      tag: 'Members',
      permission: 'members:manage',
      params: memberParams,
      responses: { 200: { description: 'The membership as WorkOS now has it', schema: membershipView } },
      handler: async ({ params, auth }) => {
        const current = await ownMembership(params.orgId, params.membershipId);
        if (action === 'deactivate') noSelfLockout(auth, current.user_id, 'deactivate');
        const updated = action === 'deactivate' ? await admin.deactivateMembership(params.membershipId) : await admin.reactivateMembership(params.membershipId);
        await audit(auth, params.orgId, `member.${action}d`, { type: 'user', id: current.user_id }, { previousStatus: current.status });
        await settle(params.orgId);
        return { status: 200, body: viewMembership(updated) };
      },
    });
  }

  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/members/{membershipId}',
    summary: 'Remove a member from the organization',
    tag: 'Members',
    permission: 'members:manage',
    params: memberParams,
    responses: { 204: { description: 'Removed' } },
    handler: async ({ params, auth }) => {
      const current = await ownMembership(params.orgId, params.membershipId);
      noSelfLockout(auth, current.user_id, 'remove');
      await admin.deleteMembership(params.membershipId);
      await audit(auth, params.orgId, 'member.removed', { type: 'user', id: current.user_id }, { role: current.role_slug });
      await settle(params.orgId);
      return { status: 204, body: null };
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/invitations',
    summary: 'List invitations with the role given at invite time',
    tag: 'Members',
    permission: 'members:read',
    params: orgParams,
    query: z.strictObject({ state: z.enum(['pending', 'accepted', 'expired', 'revoked']).optional() }),
    responses: { 200: { description: 'Invitations, newest first', schema: z.object({ data: z.array(invitationView) }) } },
    handler: async ({ params, query }) => {
      const rows = await inTenant(store.db, params.orgId, (tx) => {
        let q = tx.selectFrom('invitations').selectAll().where('organization_id', '=', params.orgId).where('deleted_at', 'is', null);
        if (query.state) q = q.where('state', '=', query.state);
        return q.orderBy('id', 'desc').limit(500).execute();
      });
      const data = rows.map((r) => ({ id: r.id, email: r.email, state: r.state as 'pending', role: r.role_slug, expiresAt: r.expires_at?.toISOString() ?? '', createdAt: r.created_at.toISOString() }));
      return { status: 200, body: { data } };
    },
  });

  api.add({
    method: 'post',
    path: '/organizations/{orgId}/invitations',
    summary: 'Invite someone with a role (WorkOS sends the email)',
    tag: 'Members',
    permission: 'members:manage',
    params: orgParams,
    body: z.strictObject({ email: z.email().max(320), role: roleSlug }),
    responses: { 201: { description: 'The invitation', schema: invitationView } },
    handler: async ({ params, body, auth }) => {
      const roles = await inTenant(store.db, params.orgId, (tx) => listRoles(tx, params.orgId));
      if (!roles.some((r) => r.slug === body.role)) throw new AppError('REQUEST_INVALID', `Unknown role ${body.role}`, { details: { errors: [{ path: 'body.role', message: 'no such role in this organization' }] } });
      const inviterUserId = auth.principal.type === 'user' ? auth.principal.userId : undefined;
      const invitation = await admin.sendInvitation({ organizationId: params.orgId, email: body.email.toLowerCase(), roleSlug: body.role, inviterUserId });
      await inTenant(store.db, params.orgId, async (tx) => {
        // The role at invite time is ours to remember: the invitation object does not carry it.
        await tx.insertInto('invitations').values({ organization_id: params.orgId, id: invitation.id, email: invitation.email, state: invitation.state, role_slug: body.role, expires_at: invitation.expiresAt })
          .onConflict((oc) => oc.columns(['organization_id', 'id']).doUpdateSet({ role_slug: body.role })).execute();
        await appendAuditEvent(tx, { organizationId: params.orgId, type: 'invitation.sent', actor: actorOf(auth), target: { type: 'invitation', id: invitation.id }, data: { email: invitation.email, role: body.role } });
      });
      return { status: 201, body: viewInvitation(invitation, body.role) };
    },
  });

  for (const [action, summary] of [['resend', 'Send the invitation email again'], ['revoke', 'Revoke a pending invitation']] as const) {
    api.add({
      method: 'post',
      path: `/organizations/{orgId}/invitations/{invitationId}/${action}`,
      summary,
      tag: 'Members',
      permission: 'members:manage',
      params: invitationParams,
      responses: { 200: { description: 'The invitation', schema: invitationView } },
      handler: async ({ params, auth }) => {
        const current = await ownInvitation(params.orgId, params.invitationId);
        const updated = action === 'resend' ? await admin.resendInvitation(params.invitationId) : await admin.revokeInvitation(params.invitationId);
        await audit(auth, params.orgId, `invitation.${action === 'resend' ? 'resent' : 'revoked'}_by_admin`, { type: 'invitation', id: params.invitationId }, { email: current.email });
        await settle(params.orgId);
        return { status: 200, body: viewInvitation(updated, current.role_slug) };
      },
    });
  }
}


