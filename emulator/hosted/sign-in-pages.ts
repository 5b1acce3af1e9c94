import { html } from 'hono/html';
import { errorBox, hidden, page } from './layout.ts';

// The AuthKit hosted sign-in screens, one function per step. Each form posts to a route in
// authkit-router.ts and carries the sealed flow (and, after authentication, the sealed pending
// sign-in) in hidden fields.

export const AUTHORIZE_ACTIONS = {
  email: '/_hosted/authorize/email',
  password: '/_hosted/authorize/password',
  sendCode: '/_hosted/authorize/magic/send',
  verifyCode: '/_hosted/authorize/magic/verify',
  signUp: '/_hosted/authorize/sign-up',
  showSignUp: '/_hosted/authorize/sign-up/start',
  verifyEmail: '/_hosted/authorize/verify-email',
  organization: '/_hosted/authorize/organization',
  testIdp: '/_hosted/authorize/idp',
  forgotPassword: '/_hosted/forgot-password',
  mfa: '/_hosted/authorize/mfa',
} as const;

interface Step {
  flow: string;
  error?: string | null;
}

export function emailPage(s: Step & { email?: string | null }) {
  return page(
    'Sign in',
    html`
<h1>Sign in</h1>
<p class="sub">Continue with your email address.</p>
${errorBox(s.error)}
<form method="post" action="${AUTHORIZE_ACTIONS.email}">
  ${hidden({ flow: s.flow })}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${s.email ?? ''}" autofocus>
  <button type="submit">Continue</button>
</form>
<form method="post" action="${AUTHORIZE_ACTIONS.showSignUp}">
  ${hidden({ flow: s.flow })}
  <button type="submit" class="secondary">Create an account</button>
</form>`,
    s.error ? 400 : 200,
  );
}

export function passwordPage(s: Step & { email: string }) {
  return page(
    'Enter your password',
    html`
<h1>Enter your password</h1>
<p class="sub">Signing in as <strong>${s.email}</strong></p>
${errorBox(s.error)}
<form method="post" action="${AUTHORIZE_ACTIONS.password}">
  ${hidden({ flow: s.flow, email: s.email })}
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="${AUTHORIZE_ACTIONS.sendCode}">
  ${hidden({ flow: s.flow, email: s.email })}
  <button type="submit" class="secondary">Email me a sign-in code</button>
</form>
<form method="post" action="${AUTHORIZE_ACTIONS.forgotPassword}">
  ${hidden({ email: s.email })}
  <button type="submit" class="secondary">Forgot password?</button>
</form>`,
    s.error ? 400 : 200,
  );
}

export function codePage(s: Step & { email: string }) {
  return page(
    'Check your email',
    html`
<h1>Check your email</h1>
<p class="sub">We sent a 6-digit code to <strong>${s.email}</strong>. In the emulator it is in the outbox
(<code>GET /_emulator/outbox</code>).</p>
${errorBox(s.error)}
<form method="post" action="${AUTHORIZE_ACTIONS.verifyCode}">
  ${hidden({ flow: s.flow, email: s.email })}
  <label for="code">Code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus>
  <button type="submit">Continue</button>
</form>`,
    s.error ? 400 : 200,
  );
}

export function signUpPage(s: Step & { email?: string | null }) {
  return page(
    'Create an account',
    html`
<h1>Create an account</h1>
${errorBox(s.error)}
<form method="post" action="${AUTHORIZE_ACTIONS.signUp}">
  ${hidden({ flow: s.flow })}
  <label for="first_name">First name</label>
  <input id="first_name" name="first_name" autocomplete="given-name">
  <label for="last_name">Last name</label>
  <input id="last_name" name="last_name" autocomplete="family-name">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${s.email ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
  <button type="submit">Create account</button>
</form>`,
    s.error ? 400 : 200,
  );
}

export function verifyEmailPage(s: Step & { pending: string; email: string }) {
  return page(
    'Verify your email',
    html`
<h1>Verify your email</h1>
<p class="sub">Enter the code we sent to <strong>${s.email}</strong>.</p>
${errorBox(s.error)}
<form method="post" action="${AUTHORIZE_ACTIONS.verifyEmail}">
  ${hidden({ flow: s.flow, pending: s.pending })}
  <label for="code">Verification code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus>
  <button type="submit">Verify</button>
</form>`,
    s.error ? 400 : 200,
  );
}

export function organizationPage(s: Step & { pending: string; organizations: Array<{ id: string; name: string }> }) {
  return page(
    'Choose an organization',
    html`
<h1>Choose an organization</h1>
<p class="sub">You belong to more than one organization.</p>
${errorBox(s.error)}
<div class="list">
${s.organizations.map(
  (o) => html`
<form method="post" action="${AUTHORIZE_ACTIONS.organization}">
  ${hidden({ flow: s.flow, pending: s.pending, organization_id: o.id })}
  <button type="submit">${o.name}</button>
</form>`,
)}
</div>`,
  );
}

export function hostedErrorPage(title: string, message: string, status: number) {
  return page(title, html`<h1>${title}</h1>${errorBox(message)}`, status);
}
