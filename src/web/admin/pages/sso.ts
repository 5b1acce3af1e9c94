// Settings → Security → SSO: the connection, the enforce toggle with its lockout preview, the
// admin portal for the IT team (SSO and directory sync), and a directory sync card.
import { html } from 'hono/html';
import { z } from 'zod';
import { CONNECTION_TYPES } from '../../../core/connection-types.ts';
import { AppError } from '../../../core/errors.ts';
import { membersWithoutSsoSignIn } from '../../../organizations/members.ts';
import { createPortalLink, enableSsoWithProvider, setSsoEnforcement } from '../../../organizations/sso-settings.ts';
import { actorOf } from '../../../audit/actor.ts';
import type { DriftReport } from '../../../directory/drift-report.ts';
import { inTenant } from '../../../store/tenant.ts';
import { listFailedEvents, readBacklog } from '../../../webhooks/apply-queue.ts';
import { adminHref, formatTime } from '../layout.ts';
import { plural } from '../../chrome.ts';
import { PROVIDER_KINDS, providerKind, providerName } from '../../provider-names.ts';
import type { AdminPage, PageContext } from '../admin-pages.ts';
import { oidcConnectionActions, oidcConnectionsCard } from './sso-oidc.ts';

function ssoDeps(ctx: PageContext) {
  const { sso, provider } = ctx.services;
  if (!sso || !provider)
    throw new AppError(
      'PROVIDER_UNAVAILABLE',
      'SSO settings need the identity provider, which this server was started without',
    );
  return { db: ctx.store.db, sso, provider };
}

/** The type of one of this organization's mirrored connections; any other id is refused. */
async function connectionType(ctx: PageContext, connectionId: string): Promise<string> {
  const row = await inTenant(ctx.store.db, ctx.orgId, (tx) =>
    tx
      .selectFrom('sso_connections')
      .select('connection_type')
      .where('organization_id', '=', ctx.orgId)
      .where('id', '=', connectionId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('REQUEST_INVALID', "Choose one of this organization's connections.");
  return row.connection_type;
}

/** The last reconciliation's drift in words ("drift: none", or what it repaired per kind), never raw JSON. */
function describeDrift(report: Partial<DriftReport>): string {
  if (!report.drift) return 'drift: none';
  const kinds = Object.entries(report.kinds ?? {})
    .map(
      ([kind, c]) =>
        [
          kind,
          [
            c.created && `${c.created} created`,
            c.updated && `${c.updated} updated`,
            c.deprovisioned && `${c.deprovisioned} deprovisioned`,
          ]
            .filter(Boolean)
            .join(', '),
        ] as const,
    )
    .filter(([, changes]) => changes)
    .map(([kind, changes]) => `${kind} ${changes}`);
  return `drift repaired: ${kinds.join('; ')}`;
}

async function directoryCard(ctx: PageContext) {
  const { orgId, store } = ctx;
  const [directories, report, backlog, failed] = await Promise.all([
    inTenant(store.db, orgId, (tx) =>
      tx
        .selectFrom('directories as d')
        .select((eb) => [
          'd.id',
          'd.name',
          'd.type',
          'd.state',
          'd.provider_updated_at',
          eb
            .selectFrom('directory_users as u')
            .whereRef('u.directory_id', '=', 'd.id')
            .where('u.deleted_at', 'is', null)
            .where('u.state', '=', 'active')
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('users'),
          eb
            .selectFrom('directory_groups as g')
            .whereRef('g.directory_id', '=', 'd.id')
            .where('g.deleted_at', 'is', null)
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('groups'),
        ])
        .where('d.organization_id', '=', orgId)
        .where('d.deleted_at', 'is', null)
        .execute(),
    ),
    // This tenant's own run (reconcile --org) if there was one, else the install-wide run.
    store.db
      .selectFrom('sync_cursors')
      .select(['name', 'last_run_at', 'last_report'])
      .where('name', 'in', [`events:${orgId}`, 'events'])
      .orderBy('last_run_at', 'desc')
      .execute()
      .then((rows) => rows.find((r) => r.name === `events:${orgId}`) ?? rows[0])
      .catch(() => undefined),
    // This organization's webhook events waiting to apply, and those parked failed.
    readBacklog(store.db, orgId).catch(() => null),
    listFailedEvents(store.db, orgId, 10).catch(() => []),
  ]);
  // An install-wide report counts every tenant's rows: only a super-admin may see those numbers.
  const showCounts = report?.name === `events:${orgId}` || ctx.auth.isSuperAdmin;
  const drift = report?.last_report && showCounts ? describeDrift(report.last_report as Partial<DriftReport>) : null;
  return html`<section aria-labelledby="dsync-title"><h2 id="dsync-title">Directory sync</h2>
${
  directories.length === 0
    ? html`<p class="empty">No directory connected. Open the admin portal for directory sync to connect Okta, Entra ID or another SCIM provider.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Directory</th><th scope="col">State</th><th scope="col">Users</th><th scope="col">Groups</th><th scope="col">Last event</th></tr></thead>
<tbody>${directories.map((d) => html`<tr><td>${d.name} <span class="muted">${d.type}</span></td><td>${d.state}</td><td>${Number(d.users ?? 0)}</td><td>${Number(d.groups ?? 0)}</td><td>${formatTime(d.provider_updated_at)}</td></tr>`)}</tbody></table></div>`
}
${backlog ? html`<p class="muted">Apply backlog: ${backlog.pending} pending${backlog.pending ? ` (oldest ${backlog.oldestPendingSeconds} s)` : ''}, ${backlog.failed} failed</p>` : ''}
${
  failed.length > 0
    ? html`<div class="table-wrap"><table><caption>Events that failed to apply (a reconciliation repairs what they carried)</caption>
<thead><tr><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Attempts</th><th scope="col">Error</th></tr></thead>
<tbody>${failed.map((f) => html`<tr><td><code>${f.id}</code></td><td>${f.type}</td><td>${f.attempts}</td><td>${f.lastError ?? ''}</td></tr>`)}</tbody></table></div>`
    : ''
}
<p class="muted">Last reconciliation: ${report?.last_run_at ? html`${formatTime(report.last_run_at)}${drift ? ` — ${drift}` : ''}` : 'not run yet'}</p></section>`;
}

export const ssoPage: AdminPage = {
  section: 'sso',
  title: 'Settings → Security → SSO',
  inlineErrors: ['enable', 'oidc_add'],
  permission: 'organization:read',
  async render(ctx) {
    const { orgId, store, auth, services } = ctx;
    const canManage = auth.permissions.includes('sso:manage') || auth.isSuperAdmin;
    const config = services.sso ? await services.sso.getSsoConfig(orgId) : null;
    const connections = await inTenant(store.db, orgId, (tx) =>
      tx
        .selectFrom('sso_connections')
        .select(['id', 'connection_type', 'name', 'state'])
        .where('organization_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .execute(),
    );
    const lockout = await inTenant(store.db, orgId, (tx) => membersWithoutSsoSignIn(tx, orgId));
    const href = adminHref(orgId, 'sso');
    const enable = ctx.failed?.action === 'enable' ? ctx.failed.form : undefined;
    const chosen = enable?.connectionId ?? config?.connectionId ?? connections[0]?.id ?? '';
    const current = connections.find((k) => k.id === config?.connectionId);
    const ssoOn = Boolean(config?.enabled);
    return html`
<section aria-labelledby="conn-title"><h2 id="conn-title">Connection</h2>
${
  !config
    ? html`<p class="error" role="alert">This server was started without an identity provider; SSO cannot be configured here.</p>`
    : config.enabled
      ? html`<p>SSO is <strong>enabled</strong> with ${current?.name ?? 'connection'} (${providerName(config.provider ?? current?.connection_type ?? '')}, <span class="id" title="${config.connectionId}">${config.connectionId}</span>). Enforcement is <strong>${config.enforced ? 'on' : 'off'}</strong>.</p>`
      : html`<p>SSO is <strong>not enabled</strong>. Members sign in with password or magic code.</p>`
}
${
  canManage && config
    ? html`
${
  connections.length === 0
    ? html`<p class="empty">This organization has no SSO connection yet. Open the admin portal below to have its IT team set one up.</p>`
    : html`
<form method="post" action="${href}/enable">
${ctx.failed?.action === 'enable' ? html`<p class="error" role="alert">${ctx.failed.message}</p>` : ''}
<label for="sso-connection">Connection</label>
<select id="sso-connection" name="connectionId" class="wide">
${PROVIDER_KINDS.filter((kind) => connections.some((k) => providerKind(k.connection_type) === kind)).map(
  (kind) =>
    html`<optgroup label="${kind}">${connections
      .filter((k) => providerKind(k.connection_type) === kind)
      .map(
        (k) =>
          html`<option value="${k.id}" ${k.id === chosen ? 'selected' : ''}>${k.name ?? providerName(k.connection_type)} — ${providerName(k.connection_type)}, ${k.state}</option>`,
      )}</optgroup>`,
)}
</select>
<p class="field-hint">The connection's identity provider (set up in the admin portal) decides how sign-in is worded.</p>
<p><button type="submit">Save and enable SSO</button></p></form>`
}
${config.enabled ? html`<form method="post" action="${href}/disable"><button type="submit" class="danger">Disable SSO</button></form>` : ''}`
    : ''
}
</section>
<section aria-labelledby="enforce-title"><h2 id="enforce-title">Require SSO for all members</h2>
${
  !ssoOn && !config?.enforced
    ? html`<p class="muted">${canManage ? 'Enable SSO above before requiring it.' : 'SSO is not enabled for this organization.'}</p>`
    : config?.enforced
      ? html`<p>SSO is required.${canManage && lockout.length > 0 ? ` ${plural(lockout.length, 'active member has', 'active members have')} never signed in through SSO; they can get in only through SSO now:` : ''}</p>
${canManage && lockout.length > 0 ? html`<ul>${lockout.slice(0, 20).map((m) => html`<li><code>${m.email}</code></li>`)}</ul>` : ''}`
      : !canManage
        ? html`<p>SSO is optional: members may also sign in with password or magic code.</p>`
        : lockout.length > 0
          ? html`<p class="error" role="alert">${plural(lockout.length, 'active member has', 'active members have')} never signed in through SSO. Enforcing now locks them out:</p>
<ul>${lockout.slice(0, 20).map((m) => html`<li><code>${m.email}</code></li>`)}</ul>`
          : html`<p>Every active member has signed in through SSO at least once.</p>`
}
${
  canManage && config && (config.enabled || config.enforced)
    ? html`<form method="post" action="${href}/enforce">
<input type="hidden" name="enforced" value="${config.enforced ? 'false' : 'true'}">
${!config.enforced && lockout.length > 0 ? html`<p><label class="check" for="ack"><input type="checkbox" id="ack" name="acknowledgeLockout" value="true"> I understand ${plural(lockout.length, 'member')} will lose access</label></p>` : ''}
<button type="submit" class="${config.enforced ? 'secondary' : ''}">${config.enforced ? 'Stop requiring SSO' : 'Require SSO'}</button></form>`
    : ''
}
</section>
${
  canManage
    ? html`<section aria-labelledby="portal-title"><h2 id="portal-title">Admin portal</h2>
<p>Hand your customer's IT team a link (valid 5 minutes) to set up SSO or directory sync themselves.</p>
<div class="actions"><form class="inline" method="post" action="${href}/portal"><input type="hidden" name="intent" value="sso"><button type="submit" class="secondary">Open Admin Portal (SSO)</button></form>
<form class="inline" method="post" action="${href}/portal"><input type="hidden" name="intent" value="dsync"><button type="submit" class="secondary">Open Admin Portal (Directory Sync)</button></form></div>
</section>`
    : ''
}
${await oidcConnectionsCard(ctx)}
${await directoryCard(ctx)}`;
  },
  actions: {
    ...oidcConnectionActions,
    enable: {
      permission: 'sso:manage',
      async run(ctx, form) {
        const parsed = z
          .object({
            connectionId: z.string().regex(/^conn_[0-9A-Za-z]{8,40}$/, 'The connection ID looks like conn_…'),
            provider: z.enum(CONNECTION_TYPES).optional(),
          })
          .safeParse(form);
        if (!parsed.success) throw new AppError('REQUEST_INVALID', parsed.error.issues[0]!.message);
        // The page offers connections, not providers: a connection talks to one identity provider,
        // so asking for both only offered fifty choices of which one was ever accepted.
        const provider = parsed.data.provider ?? (await connectionType(ctx, parsed.data.connectionId));
        await enableSsoWithProvider(ssoDeps(ctx), ctx.auth, ctx.orgId, { ...parsed.data, provider });
        return 'SSO enabled.';
      },
    },
    disable: {
      permission: 'sso:manage',
      async confirm(ctx) {
        const config = await ctx.services.sso?.getSsoConfig(ctx.orgId);
        if (!config?.enforced) return null;
        return {
          question: 'Disable SSO while it is required?',
          consequence:
            'SSO is required for every member right now. Disabling it also stops requiring it: members can sign in with a password or a magic code again.',
          confirmLabel: 'Disable SSO and stop requiring it',
        };
      },
      async run(ctx) {
        await ssoDeps(ctx).sso.disableSso(actorOf(ctx.auth), ctx.orgId);
        return 'SSO disabled; enforcement is off.';
      },
    },
    enforce: {
      permission: 'sso:manage',
      async run(ctx, form) {
        const enforced = form.enforced === 'true';
        await setSsoEnforcement(ssoDeps(ctx), ctx.auth, ctx.orgId, {
          enforced,
          acknowledgeLockout: form.acknowledgeLockout === 'true',
        });
        return enforced ? 'SSO is now required for every member.' : 'SSO is no longer required.';
      },
    },
    portal: {
      permission: 'sso:manage',
      async run(ctx, form) {
        const admin = ctx.services.organizationAdmin;
        if (!admin) throw new AppError('PROVIDER_UNAVAILABLE', 'The admin portal needs the identity provider');
        const intent = form.intent === 'dsync' ? 'dsync' : 'sso';
        const publicUrl = ctx.services.publicUrl ?? '';
        const { link } = await createPortalLink({ db: ctx.store.db, admin, publicUrl }, ctx.auth, ctx.orgId, {
          intent,
          ...(publicUrl ? { returnUrl: `${publicUrl}${adminHref(ctx.orgId, 'sso')}` } : {}),
        });
        return { redirect: link };
      },
    },
  },
};
