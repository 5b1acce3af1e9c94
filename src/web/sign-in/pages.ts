// The sign-in pages: one per callback response type, the organization picker, password reset and
// signed-out. Server-rendered with hono/html (every interpolation escaped; Node's type stripping
// runs .ts but not .tsx, so no JSX here), no client script, the shared stylesheet from our own
// origin (src/web/styles.ts). `data-response-type` on <main> lets tests and support staff tell the
// outcome apart without parsing prose. No page ever shows a code, a token or a provider error.
import { html } from 'hono/html';
import { documentPage, headerBar } from '../chrome.ts';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

function layout(title: string, responseType: string, body: Markup, head: Markup = html``): Markup {
  return documentPage({
    title,
    head,
    narrow: true,
    header: headerBar(null, { signInLink: false }),
    mainAttributes: html`data-response-type="${responseType}"`,
    body: html`<div class="card">${body}</div>`,
  });
}

export function loginSuccessfulPage(v: { returnTo: string; organizationId: string }): Markup {
  return layout(
    'Signed in',
    'LOGIN_SUCCESSFUL',
    html`
<h1>You are signed in</h1>
<p class="muted" data-organization-id="${v.organizationId}">Taking you back…</p>
<p><a class="button" href="${v.returnTo}">Continue</a></p>`,
    html`<meta http-equiv="refresh" content="0;url=${v.returnTo}">`,
  );
}

export function organizationPickerPage(v: {
  email: string;
  organizations: Array<{ id: string; name: string }>;
  action: string;
}): Markup {
  return layout(
    'Choose an organization',
    'ORGANIZATION_SELECTION_REQUIRED',
    html`
<h1>Choose an organization</h1>
<p class="muted">${v.email} belongs to more than one organization. Which one do you want to sign in to?</p>
<div class="actions">
${v.organizations.map(
  (o) => html`<form method="post" action="${v.action}">
  <input type="hidden" name="organizationId" value="${o.id}">
  <button type="submit" data-organization-id="${o.id}">${o.name || o.id}</button>
</form>`,
)}
</div>`,
  );
}

const DEACTIVATED: Record<string, string> = {
  no_membership:
    'You are not a member of any organization here. Ask an administrator of your organization to invite you.',
  organization_deleted: 'This organization no longer exists.',
};

export function membershipDeactivatedPage(v: { reason: string }): Markup {
  return layout(
    'Access deactivated',
    'MEMBERSHIP_DEACTIVATED',
    html`
<h1>Your access is deactivated</h1>
<p class="error" data-reason="${v.reason}">${DEACTIVATED[v.reason] ?? 'Your membership in this organization was deactivated. Ask one of its administrators to reactivate it.'}</p>
<p><a href="/auth/login">Sign in with another account</a></p>`,
  );
}

export function ssoRequiredPage(v: { loginUrl: string }): Markup {
  return layout(
    'Single sign-on required',
    'SSO_REQUIRED',
    html`
<h1>Single sign-on required</h1>
<p>This organization requires you to sign in through its identity provider.</p>
<p><a class="button" id="continue-sso" href="${v.loginUrl}">Continue with SSO</a></p>`,
  );
}

const LINK_TEXT: Record<string, string> = {
  email_verification_required: 'Verify your email address on the sign-in page, then sign in again.',
  mfa_required: 'Finish multi-factor authentication on the sign-in page, then sign in again.',
  access_denied: 'Sign-in was cancelled at the identity provider.',
  code_invalid: 'That code is not valid. Codes work once; ask for a new one and use the latest.',
  code_expired: 'That code expired. Ask for a new one.',
  email_unverified: 'Your identity provider has not verified your email address.',
  email_domain_not_allowed: "Your email address is not on a domain your organization's identity provider serves.",
};

export function linkInvalidPage(v: { reason: string }): Markup {
  return layout(
    'Sign-in link not valid',
    'LINK_INVALID',
    html`
<h1>This sign-in link is not valid</h1>
<p class="error" data-reason="${v.reason}">${LINK_TEXT[v.reason] ?? 'It was already used, altered, or started in another browser.'}</p>
<p><a class="button" href="/auth/login">Sign in again</a></p>`,
  );
}

export function linkExpiredPage(v: { reason: string }): Markup {
  return layout(
    'Sign-in link expired',
    'LINK_EXPIRED',
    html`
<h1>This sign-in link has expired</h1>
<p class="error" data-reason="${v.reason}">Sign-in links are short-lived. Start again to get a new one.</p>
<p><a class="button" href="/auth/login">Sign in again</a></p>`,
  );
}

export function signedOutPage(): Markup {
  return layout(
    'Signed out',
    'SIGNED_OUT',
    html`<h1>You are signed out</h1><p><a class="button" href="/auth/login">Sign in</a> <a class="button secondary" href="/">Home</a></p>`,
  );
}

export function passwordResetRequestPage(v: { sent?: boolean; error?: string | undefined } = {}): Markup {
  return layout(
    'Reset your password',
    v.sent ? 'PASSWORD_RESET_SENT' : 'PASSWORD_RESET',
    html`
<h1>Reset your password</h1>
${
  v.sent
    ? html`<p>If an account uses that address, we sent it a link to choose a new password.</p>`
    : html`
<form method="post" action="/auth/password-reset">
  ${v.error ? html`<p class="error">${v.error}</p>` : ''}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <p><button type="submit">Send reset link</button></p>
</form>`
}`,
  );
}

export function passwordResetConfirmPage(v: { token: string; done?: boolean; error?: string | undefined }): Markup {
  return layout(
    'Choose a new password',
    v.done ? 'PASSWORD_RESET_DONE' : 'PASSWORD_RESET_CONFIRM',
    html`
<h1>Choose a new password</h1>
${
  v.done
    ? html`<p>Your password was changed. <a href="/auth/login">Sign in</a></p>`
    : html`
<form method="post" action="/auth/password-reset/confirm">
  ${v.error ? html`<p class="error">${v.error}</p>` : ''}
  <input type="hidden" name="token" value="${v.token}">
  <label for="newPassword">New password</label>
  <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength="8" required>
  <p><button type="submit">Change password</button></p>
</form>`
}`,
  );
}

/** Not a response type: the provider could not be reached, so no outcome is known yet. */
export function providerUnavailablePage(): Markup {
  return layout(
    'Sign-in unavailable',
    'PROVIDER_UNAVAILABLE',
    html`
<h1>Sign-in is unavailable right now</h1>
<p class="error">We could not reach the identity provider. Nothing was changed; try again in a moment.</p>
<p><a class="button" href="/auth/login">Try again</a></p>`,
  );
}

/** The built-in email sign-in's first step: the address to mail a one-time code to. */
export function emailSignInPage(v: { email?: string | undefined; returnTo: string }): Markup {
  return layout(
    'Sign in',
    'EMAIL_CODE_REQUEST',
    html`
<h1>Sign in</h1>
<form method="post" action="/auth/email">
  <input type="hidden" name="returnTo" value="${v.returnTo}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" value="${v.email ?? ''}" required>
  <p><button type="submit">Email me a sign-in code</button></p>
</form>`,
  );
}

/**
 * The code form. The same page follows "send me a code" for every address, known or not (no
 * account enumeration). From the magic link it comes pre-filled and still needs the button: a
 * mail scanner that fetches links must not spend the code or sign itself in.
 */
export function emailCodePage(v: { email: string; returnTo: string; code?: string | undefined }): Markup {
  return layout(
    'Enter your code',
    'EMAIL_CODE_SENT',
    html`
<h1>Check your email</h1>
<p class="muted">If ${v.email} may sign in here, a 6-digit code is on its way. It works once, for 10 minutes.</p>
<form method="post" action="/auth/email/verify">
  <input type="hidden" name="email" value="${v.email}">
  <input type="hidden" name="returnTo" value="${v.returnTo}">
  <label for="code">Code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6"
    value="${v.code ?? ''}" required>
  <p><button type="submit">Sign in</button></p>
</form>
<p><a href="/auth/email">Use another address or get a new code</a></p>`,
  );
}

/**
 * AUTH_PROVIDER=oidc: home-realm discovery. The email's domain picks the organization's identity
 * provider; with email codes on, any other address gets a code instead.
 */
export function ssoSignInPage(v: { email?: string | undefined; returnTo: string; error?: string | undefined }): Markup {
  return layout(
    'Sign in',
    'SSO_EMAIL_REQUEST',
    html`
<h1>Sign in</h1>
<form method="post" action="/auth/sso">
  ${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
  <input type="hidden" name="returnTo" value="${v.returnTo}">
  <label for="email">Work email</label>
  <input id="email" name="email" type="email" autocomplete="email" value="${v.email ?? ''}" required>
  <p><button type="submit">Continue</button></p>
</form>`,
  );
}

/**
 * On to the identity provider after the email form. A page rather than a redirect: browsers apply
 * the form page's `form-action` to a form's redirects, and each organization has its own provider.
 */
export function continueToProviderPage(v: { url: string }): Markup {
  return layout(
    'Continue to sign in',
    'SSO_REDIRECT',
    html`
<h1>Continue to your identity provider</h1>
<p><a class="button" id="continue" href="${v.url}">Continue</a></p>`,
    html`<meta http-equiv="refresh" content="0;url=${v.url}">`,
  );
}
