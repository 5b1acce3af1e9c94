import { html } from 'hono/html';
import { errorBox, hidden, page } from './layout.ts';
import { AUTHORIZE_ACTIONS } from './sign-in-pages.ts';

// The built-in test identity provider's sign-in page. It stands in for Okta, Entra or Google
// behind every SSO connection: pick one of the organization's directory users (what a real
// IdP that also provisions by SCIM would know), or type any identity at the organization.

export interface TestIdpView {
  flow: string;
  connection: { id: string; name: string; connection_type: string };
  organizationName: string;
  users: Array<{ email: string | null; first_name: string | null; last_name: string | null }>;
  email?: string | null;
  error?: string | null;
}

export function testIdpPage(v: TestIdpView) {
  const pickable = v.users.filter((u): u is typeof u & { email: string } => !!u.email);
  return page(
    'Test identity provider',
    html`
<h1>Test identity provider</h1>
<p class="sub">${v.organizationName} · ${v.connection.name} (${v.connection.connection_type})</p>
${errorBox(v.error)}
${
  pickable.length > 0
    ? html`
<p>Sign in as a directory user:</p>
<div class="list">
${pickable.map(
  (u) => html`
<form method="post" action="${AUTHORIZE_ACTIONS.testIdp}">
  ${hidden({ flow: v.flow, connection_id: v.connection.id, email: u.email, first_name: u.first_name, last_name: u.last_name })}
  <button type="submit" name="action" value="sign-in">${[u.first_name, u.last_name].filter(Boolean).join(' ') || u.email} · ${u.email}</button>
</form>`,
)}
</div>
<p>Or type an identity:</p>`
    : html``
}
<form method="post" action="${AUTHORIZE_ACTIONS.testIdp}">
  ${hidden({ flow: v.flow, connection_id: v.connection.id })}
  <label for="idp-email">Email</label>
  <input id="idp-email" name="email" type="email" required value="${v.email ?? ''}">
  <label for="idp-first">First name</label>
  <input id="idp-first" name="first_name">
  <label for="idp-last">Last name</label>
  <input id="idp-last" name="last_name">
  <button type="submit" name="action" value="sign-in">Sign in with the test IdP</button>
</form>
<form method="post" action="${AUTHORIZE_ACTIONS.testIdp}">
  ${hidden({ flow: v.flow, connection_id: v.connection.id })}
  <button type="submit" class="secondary" name="action" value="cancel">Cancel</button>
</form>`,
    v.error ? 400 : 200,
  );
}
