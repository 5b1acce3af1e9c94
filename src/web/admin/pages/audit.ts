// Audit trail page: newest events, a Verify button that recomputes the chain, and the export link.
import { html } from 'hono/html';
import { auditEventFromRow, readAuditChain } from '../../../audit/audit-log.ts';
import { verifyChain } from '../../../audit/chain.ts';
import { inTenant } from '../../../store/tenant.ts';
import { formatTime, type Markup } from '../layout.ts';
import type { AdminPage } from '../admin-pages.ts';

export const auditPage: AdminPage = {
  section: 'audit',
  title: 'Audit trail',
  permission: 'audit:read',
  async render({ store, orgId, c }) {
    const verify = c.req.query('verify') === '1';
    const rows = await inTenant(store.db, orgId, (tx) => tx.selectFrom('audit_events').selectAll().where('organization_id', '=', orgId).orderBy('seq', 'desc').limit(100).execute());
    const events = rows.map(auditEventFromRow);
    let verdict: Markup | string = '';
    if (verify) {
      const v = await verifyChain(readAuditChain((fn) => inTenant(store.db, orgId, fn), orgId));
      verdict = v.valid
        ? html`<p class="notice" role="status">Chain verified: ${v.count} events, head <code>${v.headHash}</code>.</p>`
        : html`<p class="error" role="alert">Chain broken at seq ${v.firstInvalidSeq} (${v.reason}).</p>`;
    }
    return html`
<p>Every change of identity state is recorded in this organization's hash chain. Verify recomputes every hash; the export can be checked offline with <code>gatehouse audit verify --file</code>.</p>
<form method="get"><input type="hidden" name="verify" value="1"><button type="submit">Verify chain</button>
<a href="/api/v1/organizations/${orgId}/audit-events/export" download>Export (JSON Lines)</a></form>
${verdict}
${events.length === 0
  ? html`<p class="empty">No audit events yet. Sign-ins, SSO changes, membership and key changes appear here.</p>`
  : html`<div class="table-wrap"><table><caption class="muted">Latest ${events.length} events</caption>
<thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Hash</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${e.seq}</td><td class="nowrap">${formatTime(e.createdAt)}</td><td class="nowrap"><code>${e.type}</code></td><td>${e.actor.type}${e.actor.id ? html` <code>${e.actor.id}</code>` : ''}</td><td>${e.target ? html`${e.target.type} <code>${e.target.id}</code>` : '—'}</td><td><code title="${e.hash}">${e.hash.slice(0, 12)}…</code></td></tr>`)}</tbody></table></div>`}`;
  },
};
