// Members page: everyone in the organization with role, status, source and last sign-in.
import { html } from 'hono/html';
import { listMembers } from '../../../organizations/members.ts';
import { inTenant } from '../../../store/tenant.ts';
import { formatTime } from '../layout.ts';
import type { AdminPage } from '../admin-pages.ts';

export const membersPage: AdminPage = {
  section: 'members',
  title: 'Members',
  permission: 'members:read',
  async render({ store, orgId }) {
    const members = await inTenant(store.db, orgId, (tx) => listMembers(tx, orgId, { limit: 500 }));
    if (members.length === 0) return html`<p class="empty">No members yet. Invite someone, or connect a directory to provision members automatically.</p>`;
    return html`<table><caption class="muted">${members.length} members</caption>
<thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Last sign-in</th><th scope="col">Through SSO</th></tr></thead>
<tbody>${members.map((m) => html`<tr><td>${m.name ?? ''} <code>${m.email}</code></td><td><code>${m.role}</code></td><td>${m.status}</td><td>${m.source}</td><td>${formatTime(m.lastSignInAt)}</td><td>${m.lastSsoSignInAt ? `yes, ${formatTime(m.lastSsoSignInAt)}` : 'never'}</td></tr>`)}</tbody></table>`;
  },
};
