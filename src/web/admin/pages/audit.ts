// Audit trail page: newest events, the latest signed checkpoint with a download, a Verify button
// that recomputes the Merkle tree against the stored head and the checkpoints, and the export link.
import { html } from 'hono/html';
import { auditEventFromRow, integrateInTx } from '../../../audit/audit-log.ts';
import { AUDIT_JWKS_PATH } from '../../../audit/checkpoint.ts';
import { latestCheckpoint } from '../../../audit/checkpoints.ts';
import { tenantReader, verifyStoredLog } from '../../../audit/verify.ts';
import { inTenant } from '../../../store/tenant.ts';
import { formatTime, type Markup } from '../layout.ts';
import type { AdminPage } from '../admin-pages.ts';

export const auditPage: AdminPage = {
  section: 'audit',
  title: 'Audit trail',
  permission: 'audit:read',
  async render({ store, orgId, c, services }) {
    const verify = c.req.query('verify') === '1';
    const { rows, checkpoint } = await inTenant(store.db, orgId, async (tx) => {
      await integrateInTx(tx, orgId);
      const rows = await tx.selectFrom('audit_events').select('entry').where('organization_id', '=', orgId).orderBy('seq', 'desc').limit(100).execute();
      return { rows, checkpoint: await latestCheckpoint(tx, orgId) };
    });
    const events = rows.map(auditEventFromRow);
    let verdict: Markup | string = '';
    if (verify) {
      const v = await verifyStoredLog(tenantReader(store.db, orgId), orgId, services.auditKeys?.trusted ?? new Map());
      verdict = v.valid
        ? html`<p class="notice" role="status">Log verified: ${v.size} events, root <code>${v.rootHash}</code>, ${v.checkpoints} signed checkpoints consistent.</p>`
        : html`<p class="error" role="alert">Log inconsistent: ${v.reason}.</p>`;
    }
    const api = `/api/v1/organizations/${orgId}/audit-events`;
    const signing = Boolean(services.auditKeys?.signer);
    return html`
<p>Every change of identity state is recorded in this organization's log, a Merkle tree whose head is signed in checkpoints by a key the database never holds. Keep a checkpoint: a later export must extend it, which <code>gatehouse audit verify --file export.jsonl --checkpoint checkpoint.json</code> checks offline. Public keys: <a href="${AUDIT_JWKS_PATH}">${AUDIT_JWKS_PATH}</a>.</p>
<section aria-labelledby="checkpoint-heading">
<h2 id="checkpoint-heading">Latest signed checkpoint</h2>
${checkpoint
  ? html`<dl>
<dt>Events</dt>
<dd>${checkpoint.size}</dd>
<dt>Root hash</dt>
<dd><code>${checkpoint.rootHash}</code></dd>
<dt>Signed</dt>
<dd>${formatTime(checkpoint.issuedAt)} with key <code>${checkpoint.keyId}</code></dd>
</dl>`
  : html`<p class="empty">No checkpoint yet.</p>`}
${signing
  ? html`<p><a href="${api}/checkpoints/latest" download="checkpoint-${orgId}.json">Download the latest checkpoint</a></p>`
  : html`<p class="muted">Checkpoints need AUDIT_SIGNING_KEY or GATEHOUSE_SECRET.</p>`}
</section>
<form method="get"><input type="hidden" name="verify" value="1"><button type="submit">Verify log</button>
${signing ? html`<a href="${api}/export" download>Export (JSON Lines, signed)</a>` : ''}</form>
${verdict}
${events.length === 0
  ? html`<p class="empty">No audit events yet. Sign-ins, SSO changes, membership and key changes appear here.</p>`
  : html`<table><caption class="muted">Latest ${events.length} events</caption>
<thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Target</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${e.seq}</td><td class="nowrap">${formatTime(e.createdAt)}</td><td class="nowrap"><code>${e.type}</code></td><td>${e.actor.type}${e.actor.id ? html` <code>${e.actor.id}</code>` : ''}</td><td>${e.target ? html`${e.target.type} <code>${e.target.id}</code>` : '—'}</td></tr>`)}</tbody></table>`}`;
  },
};
