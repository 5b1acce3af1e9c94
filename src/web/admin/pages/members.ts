// Members and invitations: everyone in the organization with role, status, source and last
// sign-in; change roles, deactivate, reactivate, remove; invite with a role, resend, revoke.
import { html } from 'hono/html';
import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import {
  changeInvitation,
  changeMemberRole,
  inviteMember,
  removeMember,
  setMemberActive,
  type MemberAdminDeps,
} from '../../../organizations/member-admin.ts';
import { listMembers } from '../../../organizations/members.ts';
import { listRoles } from '../../../organizations/roles.ts';
import { inTenant } from '../../../store/tenant.ts';
import { adminHref, formatTime } from '../layout.ts';
import { plural } from '../../chrome.ts';

const SOURCE: Record<string, string> = {
  invitation: 'invitation',
  directory: 'directory (SCIM)',
  jit: 'joined by domain',
  manual: 'added in WorkOS',
};
import type { AdminPage, PageContext } from '../admin-pages.ts';

const membershipId = z.string().regex(/^om_[0-9A-Za-z]{8,40}$/);
const invitationId = z.string().regex(/^invitation_[0-9A-Za-z]{8,40}$/);
const role = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/);

function adminDeps(ctx: PageContext): MemberAdminDeps {
  if (!ctx.services.organizationAdmin)
    throw new AppError('PROVIDER_UNAVAILABLE', 'Changing members needs the identity provider');
  return {
    db: ctx.store.db,
    admin: ctx.services.organizationAdmin,
    syncNow: ctx.services.syncNow,
    permissions: ctx.permissions,
  };
}

function field<T extends z.ZodType>(schema: T, value: string | undefined, message: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('REQUEST_INVALID', message);
  return parsed.data;
}

export const membersPage: AdminPage = {
  section: 'members',
  title: 'Members and invitations',
  permission: 'members:read',
  inlineErrors: ['invite'],
  async render({ store, orgId, auth, failed, permissions }) {
    const [members, roles, invitations] = await inTenant(
      store.db,
      orgId,
      async (tx) =>
        [
          await listMembers(tx, orgId, { limit: 500 }),
          await listRoles(tx, orgId, permissions),
          await tx
            .selectFrom('invitations')
            .selectAll()
            .where('organization_id', '=', orgId)
            .where('deleted_at', 'is', null)
            .orderBy('id', 'desc')
            .limit(100)
            .execute(),
        ] as const,
    );
    const canManage = auth.permissions.includes('members:manage') || auth.isSuperAdmin;
    const me = auth.principal.type === 'user' ? auth.principal.userId : null;
    const href = adminHref(orgId, 'members');
    const roleName = new Map(roles.map((r) => [r.slug, r.name]));
    const roleOptions = (current: string) =>
      roles.map((r) => html`<option value="${r.slug}" ${r.slug === current ? 'selected' : ''}>${r.name}</option>`);
    const invite = failed?.action === 'invite' ? failed : undefined;
    return html`
<section aria-labelledby="members-title">
<h2 id="members-title">Members</h2>
${
  members.length === 0
    ? html`<p class="empty">No members yet. Invite someone, or connect a directory to provision members automatically.</p>`
    : html`
<div class="table-wrap"><table><caption class="muted">${plural(members.length, 'member')}</caption>
<thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Last sign-in</th><th scope="col">Through SSO</th>${canManage ? html`<th scope="col"><span class="muted">Actions</span></th>` : ''}</tr></thead>
<tbody>${members.map((m) => {
        const self = m.userId === me;
        return html`<tr><td>${m.name ? html`${m.name}<br>` : ''}<code>${m.email}</code>${self ? html` <span class="muted">(you)</span>` : ''}</td>
<td>${canManage && !self ? html`<form class="inline" method="post" action="${href}/role"><input type="hidden" name="membershipId" value="${m.membershipId}"><label class="visually-hidden" for="role-${m.membershipId}">Role of ${m.email}</label><select id="role-${m.membershipId}" name="role">${roleOptions(m.role)}</select> <button type="submit" class="secondary">Change</button></form>` : (roleName.get(m.role) ?? m.role)}</td>
<td>${m.status}</td><td>${SOURCE[m.source] ?? m.source}</td><td class="nowrap">${formatTime(m.lastSignInAt)}</td><td>${m.lastSsoSignInAt ? html`<span class="nowrap">yes, ${formatTime(m.lastSsoSignInAt)}</span>` : 'never'}</td>
${
  canManage
    ? html`<td>${
        self
          ? html`<span class="muted">—</span>`
          : html`<div class="actions"><form class="inline" method="post" action="${href}/${m.status === 'inactive' ? 'reactivate' : 'deactivate'}"><input type="hidden" name="membershipId" value="${m.membershipId}"><button type="submit" class="secondary" aria-label="${m.status === 'inactive' ? 'Reactivate' : 'Deactivate'} ${m.email}">${m.status === 'inactive' ? 'Reactivate' : 'Deactivate'}</button></form>
<form class="inline" method="post" action="${href}/remove"><input type="hidden" name="membershipId" value="${m.membershipId}"><input type="hidden" name="email" value="${m.email}"><button type="submit" class="danger" aria-label="Remove ${m.email}">Remove</button></form></div>`
      }</td>`
    : ''
}</tr>`;
      })}</tbody></table></div>`
}
</section>
<section aria-labelledby="invitations-title">
<h2 id="invitations-title">Invitations</h2>
${
  invitations.length === 0
    ? html`<p class="empty">No invitations.</p>`
    : html`<div class="table-wrap"><table><caption class="muted">${plural(invitations.length, 'invitation')}</caption><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Expires</th>${canManage ? html`<th scope="col"><span class="muted">Actions</span></th>` : ''}</tr></thead>
<tbody>${invitations.map(
        (
          i,
        ) => html`<tr><td><code>${i.email}</code></td><td>${i.role_slug ? (roleName.get(i.role_slug) ?? i.role_slug) : '—'}</td><td>${i.state}</td><td class="nowrap">${formatTime(i.expires_at)}</td>
${
  canManage
    ? html`<td>${
        i.state === 'pending'
          ? html`<div class="actions"><form class="inline" method="post" action="${href}/resend"><input type="hidden" name="invitationId" value="${i.id}"><button type="submit" class="secondary" aria-label="Resend invitation to ${i.email}">Resend</button></form>
<form class="inline" method="post" action="${href}/revoke"><input type="hidden" name="invitationId" value="${i.id}"><button type="submit" class="danger" aria-label="Revoke invitation to ${i.email}">Revoke</button></form></div>`
          : ''
      }</td>`
    : ''
}</tr>`,
      )}</tbody></table></div>`
}
</section>
${
  canManage
    ? html`<section aria-labelledby="invite-title"><h2 id="invite-title">Invite a member</h2><form method="post" action="${href}/invite">
${invite ? html`<p class="error" role="alert">${invite.message}</p>` : ''}
<label for="invite-email">Email</label><input id="invite-email" name="email" type="email" required maxlength="320" value="${invite?.form.email ?? ''}">
<label for="invite-role">Role</label><select id="invite-role" name="role">${roleOptions(invite?.form.role ?? 'member')}</select>
<p><button type="submit">Send invitation</button></p></form></section>`
    : ''
}`;
  },
  actions: {
    role: {
      permission: 'members:manage',
      changesRoles: true,
      async run(ctx, form) {
        const id = field(membershipId, form.membershipId, 'Unknown member.');
        const to = field(role, form.role, 'Choose a role.');
        await changeMemberRole(adminDeps(ctx), ctx.auth, ctx.orgId, id, to);
        return `Role changed to ${to}.`;
      },
    },
    deactivate: {
      permission: 'members:manage',
      async run(ctx, form) {
        await setMemberActive(
          adminDeps(ctx),
          ctx.auth,
          ctx.orgId,
          field(membershipId, form.membershipId, 'Unknown member.'),
          false,
        );
        return 'Member deactivated; their sessions and personal API keys stop working.';
      },
    },
    reactivate: {
      permission: 'members:manage',
      async run(ctx, form) {
        await setMemberActive(
          adminDeps(ctx),
          ctx.auth,
          ctx.orgId,
          field(membershipId, form.membershipId, 'Unknown member.'),
          true,
        );
        return 'Member reactivated.';
      },
    },
    remove: {
      permission: 'members:manage',
      async confirm(_ctx, form) {
        const who = form.email ?? 'this member';
        return {
          question: `Remove ${who}?`,
          consequence: `${who} loses access to this organization at once: their sessions and personal API keys stop working. Invite them again to undo.`,
          confirmLabel: `Remove ${who}`,
        };
      },
      async run(ctx, form) {
        await removeMember(
          adminDeps(ctx),
          ctx.auth,
          ctx.orgId,
          field(membershipId, form.membershipId, 'Unknown member.'),
        );
        return 'Member removed.';
      },
    },
    invite: {
      permission: 'members:manage',
      async run(ctx, form) {
        const email = field(z.email().max(320), form.email, 'Enter a valid email address.');
        const inv = await inviteMember(adminDeps(ctx), ctx.auth, ctx.orgId, {
          email,
          role: field(role, form.role, 'Choose a role.'),
        });
        return `Invitation sent to ${inv.email}.`;
      },
    },
    resend: {
      permission: 'members:manage',
      async run(ctx, form) {
        await changeInvitation(
          adminDeps(ctx),
          ctx.auth,
          ctx.orgId,
          field(invitationId, form.invitationId, 'Unknown invitation.'),
          'resend',
        );
        return 'Invitation sent again.';
      },
    },
    revoke: {
      permission: 'members:manage',
      async run(ctx, form) {
        await changeInvitation(
          adminDeps(ctx),
          ctx.auth,
          ctx.orgId,
          field(invitationId, form.invitationId, 'Unknown invitation.'),
          'revoke',
        );
        return 'Invitation revoked.';
      },
    },
  },
};
