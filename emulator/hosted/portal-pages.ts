import { html } from 'hono/html';
import { errorBox, hidden, page } from './layout.ts';

// Admin portal screens an IT admin reaches through a `POST /portal/generate_link` link. Every
// form carries the link token; the router re-checks it (and its 5-minute expiry) on each post.

export const PORTAL_ACTIONS = {
  sso: '/portal/sso/connect',
  dsync: '/portal/dsync/create',
  verifyDomain: '/portal/domain_verification/verify',
} as const;

const SSO_TYPES = ['GenericSAML', 'OktaSAML', 'AzureSAML', 'GoogleSAML', 'GenericOIDC', 'EntraIdOIDC', 'OktaOIDC'];
const DIRECTORY_TYPES = [
  ['okta scim v2.0', 'Okta (SCIM v2.0)'],
  ['azure scim v2.0', 'Microsoft Entra ID (SCIM v2.0)'],
  ['generic scim v2.0', 'Custom SCIM v2.0'],
  ['onelogin scim v2.0', 'OneLogin (SCIM v2.0)'],
  ['jump cloud scim v2.0', 'JumpCloud (SCIM v2.0)'],
] as const;

interface PortalView {
  token: string;
  organizationName: string;
  error?: string | null;
}

function back(url: string | null, label: string) {
  return url ? html`<p><a href="${url}">${label}</a></p>` : html``;
}

export function ssoSetupPage(
  v: PortalView & { existing: Array<{ name: string; connection_type: string; state: string }> },
) {
  return page(
    'Set up single sign-on',
    html`
<h1>Set up single sign-on</h1>
<p class="sub">${v.organizationName}</p>
${errorBox(v.error)}
${v.existing.length > 0 ? html`<p>Existing connections:</p><ul>${v.existing.map((c) => html`<li>${c.name} · ${c.connection_type} · ${c.state}</li>`)}</ul>` : html``}
<p>Connect the emulator's test identity provider. It signs in anyone at your organization's
domains, and the directory users you provision by SCIM.</p>
<form method="post" action="${PORTAL_ACTIONS.sso}">
  ${hidden({ token: v.token })}
  <label for="connection_type">Identity provider</label>
  <select id="connection_type" name="connection_type">${SSO_TYPES.map((t) => html`<option value="${t}">${t}</option>`)}</select>
  <label for="name">Connection name</label>
  <input id="name" name="name" value="${v.organizationName} SSO" required>
  <button type="submit">Activate connection</button>
</form>`,
    v.error ? 400 : 200,
  );
}

export function ssoDonePage(v: { organizationName: string; connectionId: string; successUrl: string | null }) {
  return page(
    'Single sign-on is active',
    html`
<h1>Single sign-on is active</h1>
<p class="sub">${v.organizationName}</p>
<p>Connection <code id="connection-id">${v.connectionId}</code> is active. People at your domains now sign in through the test identity provider.</p>
${back(v.successUrl, 'Return to the application')}`,
  );
}

export function dsyncSetupPage(v: PortalView) {
  return page(
    'Set up directory sync',
    html`
<h1>Set up directory sync</h1>
<p class="sub">${v.organizationName}</p>
${errorBox(v.error)}
<form method="post" action="${PORTAL_ACTIONS.dsync}">
  ${hidden({ token: v.token })}
  <label for="type">Directory provider</label>
  <select id="type" name="type">${DIRECTORY_TYPES.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select>
  <label for="name">Directory name</label>
  <input id="name" name="name" value="${v.organizationName} directory" required>
  <button type="submit">Create directory</button>
</form>`,
    v.error ? 400 : 200,
  );
}

export function dsyncDonePage(v: {
  organizationName: string;
  directoryId: string;
  scimUrl: string;
  scimToken: string;
  successUrl: string | null;
}) {
  return page(
    'Directory created',
    html`
<h1>Directory created</h1>
<p class="sub">${v.organizationName}</p>
<p>Paste these into your identity provider's SCIM provisioning settings. The token is shown once.</p>
<label>SCIM base URL</label>
<p><code id="scim-url">${v.scimUrl}</code></p>
<label>Bearer token</label>
<p><code id="scim-token">${v.scimToken}</code></p>
<p>Directory <code id="directory-id">${v.directoryId}</code></p>
${back(v.successUrl, 'Return to the application')}`,
  );
}

export function domainsPage(v: PortalView & { domains: Array<{ id: string; domain: string; state: string }> }) {
  return page(
    'Verify domains',
    html`
<h1>Verify domains</h1>
<p class="sub">${v.organizationName}</p>
${errorBox(v.error)}
${
  v.domains.length === 0
    ? html`<p>This organization has no domains.</p>`
    : html`<div class="list">${v.domains.map(
        (d) => html`
<form method="post" action="${PORTAL_ACTIONS.verifyDomain}">
  ${hidden({ token: v.token, domain_id: d.id })}
  <button type="submit" ${d.state === 'verified' ? 'disabled' : ''}>${d.domain} · ${d.state}${d.state === 'verified' ? '' : ' · verify (the emulator accepts the DNS record as present)'}</button>
</form>`,
      )}</div>`
}`,
  );
}

export function unsupportedIntentPage(v: { organizationName: string; intent: string; returnUrl: string | null }) {
  return page(
    'Admin portal',
    html`
<h1>Admin portal</h1>
<p class="sub">${v.organizationName}</p>
<p>The <strong>${v.intent}</strong> screens are not emulated. The link is valid; there is nothing to configure here.</p>
${back(v.returnUrl, 'Return to the application')}`,
  );
}
