// Audit trail page: newest events, a Verify button that recomputes the chain, and the export link.
import { html } from 'hono/html';
import { auditEventFromRow, readAuditChain } from '../../../audit/audit-log.ts';
import { verifyChain } from '../../../audit/chain.ts';
import { inTenant } from '../../../store/tenant.ts';
import { formatTime, type Markup } from '../layout.ts';
import { describeActor, describeAuditType, describeTarget } from '../audit-words.ts';
import type { AdminPage } from '../admin-pages.ts';

export const auditPage: AdminPage = {
  section: 'audit',
  title: 'Audit trail',
  permission: 'audit:read',
  async render({ store, orgId, c }) {
    const verify = c.req.query('verify') === '1';
    const rows = await inTenant(store.db, orgId, (tx) => tx.selectFrom('audit_events').selectAll().where('organization_id', '=', orgId).orderBy('seq', 'desc').limit(100).execute());
    const events = rows.map(auditEventFromRow);
    const userIds = [...new Set(events.flatMap((e) => [e.actor.type === 'user' ? e.actor.id : null, e.target?.type === 'user' ? e.target.id : null]).filter((id): id is string => Boolean(id)))];
    const keyIds = [...new Set(events.flatMap((e) => [e.actor.type === 'api_key' ? e.actor.id : null, e.target?.type === 'api_key' ? e.target.id : null]).filter((id): id is string => Boolean(id)))];
    const names = await inTenant(store.db, orgId, async (tx) => {
      const users = userIds.length ? await tx.selectFrom('users').select(['id', 'email', 'first_name', 'last_name']).where('id', 'in', userIds).execute() : [];
      const keys = keyIds.length ? await tx.selectFrom('api_keys').select(['id', 'name']).where('organization_id', '=', orgId).where('id', 'in', keyIds).execute() : [];
      return {
        users: new Map(users.map((u) => [u.id, [u.first_name, u.last_name].filter(Boolean).join(' ') || u.email])),
        apiKeys: new Map(keys.map((k) => [k.id, k.name])),
      };
    });
    let verdict: Markup | string = '';
    if (verify) {
      const v = await verifyChain(readAuditChain((fn) => inTenant(store.db, orgId, fn), orgId));
      verdict = v.valid
        ? html`<p class="notice" role="status">Chain verified: ${v.count === 1 ? '1 event' : `${v.count} events`}, head <span class="id" title="${v.headHash}">${v.headHash}</span>.</p>`
        : html`<p class="error" role="alert">Chain broken at seq ${v.firstInvalidSeq} (${v.reason}).</p>`;
    }
    return html`
<p>Every change of identity state is recorded in this organization's hash chain. Verify recomputes every hash; the export can be checked offline with <code>gatehouse audit verify --file</code>.</p>
<form method="get" class="actions"><input type="hidden" name="verify" value="1"><button type="submit">Verify chain</button>
<a class="button secondary" href="/api/v1/organizations/${orgId}/audit-events/export" download>Export (JSON Lines)</a></form>
${verdict}
${events.length === 0
  ? html`<p class="empty">No audit events yet. Sign-ins, SSO changes, membership and key changes appear here.</p>`
  : html`<div class="table-wrap"><table><caption class="muted">Latest ${events.length} events</caption>
<thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">What happened</th><th scope="col">Who</th><th scope="col">On</th><th scope="col">Hash</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${e.seq}</td><td class="nowrap">${formatTime(e.createdAt)}</td><td title="${e.type}">${describeAuditType(e.type)}</td>
<td title="${e.actor.type}${e.actor.id ? ` ${e.actor.id}` : ''}">${describeActor(e.actor, names)}</td><td${e.target ? html` title="${e.target.type} ${e.target.id}"` : ''}>${describeTarget(e.target, e.data, names)}</td>
<td><span class="id" title="${e.hash}">${e.hash.slice(0, 12)}</span></td></tr>`)}</tbody></table></div>`}`;
  },
};
