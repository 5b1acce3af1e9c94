// Sessions page: who is signed in, how, since when; revoke one session or all of a member's.
import { html } from 'hono/html';
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import { inTenant } from '../../../store/tenant.ts';
import { adminHref, formatTime } from '../layout.ts';
import { plural } from '../../chrome.ts';
import type { AdminPage, PageContext } from '../admin-pages.ts';

function sessionsOf(ctx: PageContext) {
  if (!ctx.services.sessions) throw new AppError('PROVIDER_UNAVAILABLE', 'Sessions are not available on this server');
  return ctx.services.sessions;
}

export const sessionsPage: AdminPage = {
  section: 'sessions',
  title: 'Sessions',
  permission: 'sessions:manage',
  async render(ctx) {
    const { store, orgId } = ctx;
    const now = Date.now();
    const all = ctx.services.sessions ? await ctx.services.sessions.list({ organizationId: orgId }) : [];
    const live = all.filter((s) => !s.revokedAt && s.expiresAt.getTime() > now && s.idleExpiresAt.getTime() > now);
    const emails = new Map(
      (
        await inTenant(store.db, orgId, (tx) =>
          tx
            .selectFrom('users')
            .select(['id', 'email'])
            .where('id', 'in', live.length ? [...new Set(live.map((s) => s.userId))] : [''])
            .execute(),
        )
      ).map((u) => [u.id, u.email]),
    );
    const href = adminHref(orgId, 'sessions');
    if (live.length === 0) return html`<p class="empty">Nobody is signed in to this organization right now.</p>`;
    return html`<div class="table-wrap"><table><caption class="muted">${plural(live.length, 'live session')}</caption><thead><tr><th scope="col">Member</th><th scope="col">Signed in with</th><th scope="col">Since</th><th scope="col">Last seen</th><th scope="col">Ends</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${live.map(
      (
        s,
      ) => html`<tr><td><code>${emails.get(s.userId) ?? s.userId}</code>${s.id === ctx.auth.sessionId ? html` <strong>(your current session)</strong>` : ''}</td><td>${s.authMethod}</td><td class="nowrap">${formatTime(s.createdAt)}</td><td class="nowrap">${formatTime(s.lastSeenAt)}</td><td class="nowrap">${formatTime(s.expiresAt)}</td>
<td><div class="actions"><form class="inline" method="post" action="${href}/revoke"><input type="hidden" name="sessionId" value="${s.id}"><button type="submit" class="danger" aria-label="Revoke this session of ${emails.get(s.userId) ?? s.userId}">Revoke</button></form>
<form class="inline" method="post" action="${href}/revoke-user"><input type="hidden" name="userId" value="${s.userId}"><button type="submit" class="secondary" aria-label="Revoke every session of ${emails.get(s.userId) ?? s.userId}">Revoke all of this member's</button></form></div></td></tr>`,
    )}</tbody></table></div>`;
  },
  actions: {
    revoke: {
      permission: 'sessions:manage',
      async run(ctx, form) {
        const id = z
          .string()
          .regex(/^ses_[0-9A-Za-z]{8,40}$/)
          .safeParse(form.sessionId);
        if (!id.success) throw new AppError('REQUEST_INVALID', 'Unknown session.');
        const mine = await inTenant(ctx.store.db, ctx.orgId, (tx) =>
          tx
            .selectFrom('sessions')
            .select('id')
            .where('organization_id', '=', ctx.orgId)
            .where('id', '=', id.data)
            .where('revoked_at', 'is', null)
            .executeTakeFirst(),
        );
        if (!mine || !(await sessionsOf(ctx).revoke(id.data, actorOf(ctx.auth), 'revoked_by_admin')))
          throw new AppError('RESOURCE_NOT_FOUND', 'That session is not active in this organization.');
        return 'Session revoked.';
      },
    },
    'revoke-user': {
      permission: 'sessions:manage',
      async run(ctx, form) {
        const id = z
          .string()
          .regex(/^user_[0-9A-Za-z]{8,40}$/)
          .safeParse(form.userId);
        if (!id.success) throw new AppError('REQUEST_INVALID', 'Unknown member.');
        const n = await sessionsOf(ctx).revokeAllForUser(id.data, ctx.orgId, actorOf(ctx.auth), 'revoked_by_admin');
        return `${plural(n, 'session')} revoked.`;
      },
    },
  },
};
