// Audit trail page: newest events, the latest signed checkpoint with a download, a Verify button
// that recomputes the Merkle tree against the stored head and the checkpoints, and the export link.
import { html } from 'hono/html';
import { auditEventFromRow, integrateInTx } from '../../../audit/audit-log.ts';
import { AUDIT_JWKS_PATH } from '../../../audit/checkpoint.ts';
import { latestCheckpoint } from '../../../audit/checkpoints.ts';
import { tenantReader, verifyStoredLog } from '../../../audit/verify.ts';
import { inTenant } from '../../../store/tenant.ts';
import { formatTime, type Markup } from '../layout.ts';
import { describeActor, describeAuditType, describeTarget } from '../audit-words.ts';
import type { AdminPage } from '../admin-pages.ts';
import { plural } from '../../chrome.ts';

export const auditPage: AdminPage = {
  section: 'audit',
  title: 'Audit trail',
  permission: 'audit:read',
  async render({ store, orgId, c, services }) {
    const verify = c.req.query('verify') === '1';
    const { rows, checkpoint } = await inTenant(store.db, orgId, async (tx) => {
      await integrateInTx(tx, orgId);
      const rows = await tx
        .selectFrom('audit_events')
        .select('entry')
        .where('organization_id', '=', orgId)
        .orderBy('seq', 'desc')
        .limit(100)
        .execute();
      return { rows, checkpoint: await latestCheckpoint(tx, orgId) };
    });
    const events = rows.map(auditEventFromRow);
    const userIds = [
      ...new Set(
        events
          .flatMap((e) => [e.actor.type === 'user' ? e.actor.id : null, e.target?.type === 'user' ? e.target.id : null])
          .filter((id): id is string => Boolean(id)),
      ),
    ];
    const keyIds = [
      ...new Set(
        events
          .flatMap((e) => [
            e.actor.type === 'api_key' ? e.actor.id : null,
            e.target?.type === 'api_key' ? e.target.id : null,
          ])
          .filter((id): id is string => Boolean(id)),
      ),
    ];
    const names = await inTenant(store.db, orgId, async (tx) => {
      const users = userIds.length
        ? await tx
            .selectFrom('users')
            .select(['id', 'email', 'first_name', 'last_name'])
            .where('id', 'in', userIds)
            .execute()
        : [];
      const keys = keyIds.length
        ? await tx
            .selectFrom('api_keys')
            .select(['id', 'name'])
            .where('organization_id', '=', orgId)
            .where('id', 'in', keyIds)
            .execute()
        : [];
      return {
        users: new Map(users.map((u) => [u.id, [u.first_name, u.last_name].filter(Boolean).join(' ') || u.email])),
        apiKeys: new Map(keys.map((k) => [k.id, k.name])),
      };
    });
    let verdict: Markup | string = '';
    if (verify) {
      const v = await verifyStoredLog(tenantReader(store.db, orgId), orgId, services.auditKeys?.trusted ?? new Map());
      verdict = v.valid
        ? html`<p class="notice" role="status">Log verified: ${v.size === 1 ? '1 event' : `${v.size} events`}, root <span class="id" title="${v.rootHash}">${v.rootHash}</span>, ${v.checkpoints === 1 ? '1 signed checkpoint' : `${v.checkpoints} signed checkpoints`} consistent.</p>`
        : html`<p class="error" role="alert">Log inconsistent: ${v.reason}.</p>`;
    }
    const api = `/api/v1/organizations/${orgId}/audit-events`;
    const signing = Boolean(services.auditKeys?.signer);
    return html`
<p>Every change of identity state is recorded in this organization's log, a Merkle tree whose head is signed in checkpoints by a key the database never holds. Keep a checkpoint: a later export must extend it, which <code>gatehouse audit verify --file export.jsonl --checkpoint checkpoint.json</code> checks offline. Public keys: <a href="${AUDIT_JWKS_PATH}">${AUDIT_JWKS_PATH}</a>.</p>
<section aria-labelledby="checkpoint-heading">
<h2 id="checkpoint-heading">Latest signed checkpoint</h2>
${
  checkpoint
    ? html`<dl>
<dt>Events</dt>
<dd>${checkpoint.size}</dd>
<dt>Root hash</dt>
<dd><code>${checkpoint.rootHash}</code></dd>
<dt>Signed</dt>
<dd>${formatTime(checkpoint.issuedAt)} with key <code>${checkpoint.keyId}</code></dd>
</dl>`
    : html`<p class="empty">No checkpoint yet.</p>`
}
${
  signing
    ? html`<p><a href="${api}/checkpoints/latest" download="checkpoint-${orgId}.json">Download the latest checkpoint</a></p>`
    : html`<p class="muted">Checkpoints need AUDIT_SIGNING_KEY or GATEHOUSE_SECRET.</p>`
}
</section>
<form method="get" class="actions"><input type="hidden" name="verify" value="1"><button type="submit">Verify log</button>
${signing ? html`<a class="button secondary" href="${api}/export" download>Export (JSON Lines, signed)</a>` : ''}</form>
${verdict}
${
  events.length === 0
    ? html`<p class="empty">No audit events yet. Sign-ins, SSO changes, membership and key changes appear here.</p>`
    : html`<div class="table-wrap"><table><caption class="muted">Latest ${plural(events.length, 'event')}</caption>
<thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">What happened</th><th scope="col">Who</th><th scope="col">On</th></tr></thead>
<tbody>${events.map(
        (
          e,
        ) => html`<tr><td>${e.seq}</td><td class="nowrap">${formatTime(e.createdAt)}</td><td title="${e.type}">${describeAuditType(e.type)}</td>
<td title="${e.actor.type}${e.actor.id ? ` ${e.actor.id}` : ''}">${describeActor(e.actor, names)}</td><td${e.target ? html` title="${e.target.type} ${e.target.id}"` : ''}>${describeTarget(e.target, e.data, names)}</td></tr>`,
      )}</tbody></table></div>`
}`;
  },
};
