// Members and invitations in the API; the work is in src/organizations/member-admin.ts, shared
// with the admin pages.
import { z } from 'zod';
import type { AdminInvitation, AdminMembership } from '../../../identity/organization-admin.ts';
import {
  changeInvitation,
  changeMemberRole,
  inviteMember,
  removeMember,
  setMemberActive,
  type MemberAdminDeps,
} from '../../../organizations/member-admin.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const membershipView = z.object({
  id: z.string(),
  userId: z.string(),
  organizationId: z.string(),
  role: z.string(),
  status: z.enum(['pending', 'active', 'inactive']),
});
const invitationView = z.object({
  id: z.string(),
  email: z.string(),
  state: z.enum(['pending', 'accepted', 'expired', 'revoked']),
  role: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
const memberParams = z.strictObject({ orgId: idOf('org'), membershipId: idOf('om') });
const invitationParams = z.strictObject({ orgId: idOf('org'), invitationId: idOf('invitation') });
const roleSlug = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/);

const viewMembership = (m: AdminMembership) => ({
  id: m.id,
  userId: m.userId,
  organizationId: m.organizationId,
  role: m.roleSlug,
  status: m.status,
});
const viewInvitation = (i: AdminInvitation) => ({
  id: i.id,
  email: i.email,
  state: i.state,
  role: i.roleSlug,
  expiresAt: i.expiresAt,
  createdAt: i.createdAt,
});

export function memberAdminRoutes(api: Api, deps: MemberAdminDeps): void {
  api.add({
    method: 'patch',
    path: '/organizations/{orgId}/members/{membershipId}',
    summary: "Change a member's role",
    tag: 'Members',
    permission: 'members:manage',
    changesRoles: true,
    params: memberParams,
    body: z.strictObject({ role: roleSlug }),
    responses: { 200: { description: 'The membership as WorkOS now has it', schema: membershipView } },
    handler: async ({ params, body, auth }) => ({
      status: 200,
      body: viewMembership(await changeMemberRole(deps, auth, params.orgId, params.membershipId, body.role)),
    }),
  });
  for (const [action, summary] of [
    ['deactivate', 'Deactivate a member (keeps the membership, ends access)'],
    ['reactivate', 'Reactivate a deactivated member'],
  ] as const) {
    api.add({
      method: 'post',
      path: `/organizations/{orgId}/members/{membershipId}/${action}`,
      summary,
      tag: 'Members',
      permission: 'members:manage',
      params: memberParams,
      responses: {
        200: { description: 'The membership as WorkOS now has it', schema: membershipView },
        409: { description: 'An admin cannot deactivate their own membership' },
      },
      handler: async ({ params, auth }) => ({
        status: 200,
        body: viewMembership(
          await setMemberActive(deps, auth, params.orgId, params.membershipId, action === 'reactivate'),
        ),
      }),
    });
  }
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/members/{membershipId}',
    summary: 'Remove a member from the organization',
    tag: 'Members',
    permission: 'members:manage',
    params: memberParams,
    responses: { 204: { description: 'Removed' }, 409: { description: 'An admin cannot remove their own membership' } },
    handler: async ({ params, auth }) => {
      await removeMember(deps, auth, params.orgId, params.membershipId);
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
    responses: {
      200: { description: 'Invitations, newest first', schema: z.object({ data: z.array(invitationView) }) },
    },
    handler: async ({ params, query }) => {
      const rows = await inTenant(deps.db, params.orgId, (tx) => {
        let q = tx
          .selectFrom('invitations')
          .selectAll()
          .where('organization_id', '=', params.orgId)
          .where('deleted_at', 'is', null);
        if (query.state) q = q.where('state', '=', query.state);
        return q.orderBy('id', 'desc').limit(500).execute();
      });
      const data = rows.map((r) => ({
        id: r.id,
        email: r.email,
        state: r.state as AdminInvitation['state'],
        role: r.role_slug,
        expiresAt: r.expires_at?.toISOString() ?? '',
        createdAt: r.created_at.toISOString(),
      }));
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
    handler: async ({ params, body, auth }) => ({
      status: 201,
      body: viewInvitation(await inviteMember(deps, auth, params.orgId, body)),
    }),
  });
  for (const [action, summary] of [
    ['resend', 'Send the invitation email again'],
    ['revoke', 'Revoke a pending invitation'],
  ] as const) {
    api.add({
      method: 'post',
      path: `/organizations/{orgId}/invitations/{invitationId}/${action}`,
      summary,
      tag: 'Members',
      permission: 'members:manage',
      params: invitationParams,
      responses: { 200: { description: 'The invitation', schema: invitationView } },
      handler: async ({ params, auth }) => ({
        status: 200,
        body: viewInvitation(await changeInvitation(deps, auth, params.orgId, params.invitationId, action)),
      }),
    });
  }
}
