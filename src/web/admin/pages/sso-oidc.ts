// The SSO page's OIDC connections card (AUTH_PROVIDER=oidc): the organization's connections with
// their domains, "Test connection" (discovery now) and removal, and the form that adds one. The
// client secret is a password field that is never rendered back. Everything goes through the
// connections service the API uses, so audit entries and refusals are the same.
import { html } from 'hono/html';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import { adminHref } from '../layout.ts';
import type { AdminPage, PageContext } from '../admin-pages.ts';

function oidcDeps(ctx: PageContext) {
  const oidc = ctx.services.oidcConnections;
  if (!oidc) throw new AppError('PROVIDER_UNAVAILABLE', 'OIDC connections need AUTH_PROVIDER=oidc');
  return oidc;
}

export async function oidcConnectionsCard(ctx: PageContext) {
  const oidc = ctx.services.oidcConnections;
  if (!oidc) return html``;
  const canManage = ctx.auth.permissions.includes('sso:manage') || ctx.auth.isSuperAdmin;
  const connections = await oidc.connections.list(ctx.orgId);
  const href = adminHref(ctx.orgId, 'sso');
  const failed = ctx.failed?.action === 'oidc_add' ? ctx.failed : undefined;
  const typed = failed?.form ?? {};
  return html`<section aria-labelledby="oidc-title"><h2 id="oidc-title">OIDC connections</h2>
<p>Register this redirect URI at your identity provider: <code id="oidc-redirect-uri">${oidc.redirectUri}</code></p>
${
  connections.length === 0
    ? html`<p class="empty">No OIDC connection yet.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Connection</th><th scope="col">Issuer</th><th scope="col">Email domains</th>${canManage ? html`<th scope="col">Actions</th>` : ''}</tr></thead>
<tbody>${connections.map(
        (k) =>
          html`<tr><td>${k.name} <span class="id" title="${k.id}">${k.id}</span></td><td><code>${k.issuer}</code></td><td>${k.domains.join(', ')}</td>${
            canManage
              ? html`<td><form class="inline" method="post" action="${href}/oidc_test"><input type="hidden" name="connectionId" value="${k.id}"><button type="submit" class="secondary">Test connection</button></form>
<form class="inline" method="post" action="${href}/oidc_remove"><input type="hidden" name="connectionId" value="${k.id}"><button type="submit" class="danger">Remove</button></form></td>`
              : ''
          }</tr>`,
      )}</tbody></table></div>`
}
${
  canManage
    ? html`<form method="post" action="${href}/oidc_add">
${failed ? html`<p class="error" role="alert">${failed.message}</p>` : ''}
<label for="oidc-name">Name</label>
<input id="oidc-name" name="name" class="wide" value="${typed.name ?? ''}" placeholder="Okta">
<label for="oidc-issuer">Issuer URL</label>
<input id="oidc-issuer" name="issuer" class="wide" required value="${typed.issuer ?? ''}" placeholder="https://login.acme.com">
<label for="oidc-client-id">Client ID</label>
<input id="oidc-client-id" name="clientId" class="wide" required value="${typed.clientId ?? ''}">
<label for="oidc-client-secret">Client secret</label>
<input id="oidc-client-secret" name="clientSecret" type="password" class="wide" required autocomplete="off">
<label for="oidc-domains">Email domains</label>
<input id="oidc-domains" name="domains" class="wide" required value="${typed.domains ?? ''}" placeholder="acme.com, acme.co.uk">
<p class="field-hint">People whose email is on these domains sign in through this connection. Discovery runs before it is saved.</p>
<p><button type="submit">Add connection</button></p></form>`
    : ''
}
</section>`;
}

export const oidcConnectionActions: NonNullable<AdminPage['actions']> = {
  oidc_add: {
    permission: 'sso:manage',
    async run(ctx, form) {
      const created = await oidcDeps(ctx).connections.create(actorOf(ctx.auth), ctx.orgId, {
        name: form.name,
        issuer: form.issuer ?? '',
        clientId: form.clientId ?? '',
        clientSecret: form.clientSecret ?? '',
        domains: (form.domains ?? '').split(/[\s,]+/),
      });
      return `OIDC connection ${created.name} added for ${created.domains.join(', ')}.`;
    },
  },
  oidc_test: {
    permission: 'sso:manage',
    async run(ctx, form) {
      const report = await oidcDeps(ctx).connections.test(actorOf(ctx.auth), ctx.orgId, form.connectionId ?? '');
      return `Discovery succeeded: ${report.issuer}; RFC 9207 issuer in responses ${report.issParameterSupported ? 'supported' : 'not advertised'}.`;
    },
  },
  oidc_remove: {
    permission: 'sso:manage',
    async confirm() {
      return {
        question: 'Remove this OIDC connection?',
        consequence: 'People on its email domains can no longer sign in through it.',
        confirmLabel: 'Remove the connection',
      };
    },
    async run(ctx, form) {
      await oidcDeps(ctx).connections.remove(actorOf(ctx.auth), ctx.orgId, form.connectionId ?? '');
      return 'OIDC connection removed.';
    },
  },
};
