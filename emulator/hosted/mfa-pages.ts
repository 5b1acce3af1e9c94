import { html } from 'hono/html';
import { errorBox, hidden, page } from './layout.ts';
import { AUTHORIZE_ACTIONS } from './sign-in-pages.ts';

// The second-factor screens of the hosted sign-in: a TOTP challenge for users with a factor,
// and enrollment (secret and otpauth URI as text: no QR image is fetched or drawn offline)
// when the environment requires MFA of users who have none.

interface MfaStep {
  flow: string;
  pending: string;
  challengeId: string;
  error?: string | null;
}

export function mfaChallengePage(s: MfaStep) {
  return page(
    'Two-factor authentication',
    html`
<h1>Two-factor authentication</h1>
<p class="sub">Enter the 6-digit code from your authenticator app.</p>
${errorBox(s.error)}
<form method="post" action="${AUTHORIZE_ACTIONS.mfa}">
  ${hidden({ flow: s.flow, pending: s.pending, challenge_id: s.challengeId })}
  <label for="code">Code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus>
  <button type="submit">Verify</button>
</form>`,
    s.error ? 400 : 200,
  );
}

export function mfaEnrollPage(s: MfaStep & { secret: string; uri: string }) {
  return page(
    'Set up two-factor authentication',
    html`
<h1>Set up two-factor authentication</h1>
<p class="sub">This environment requires a second factor. Add this key to your authenticator app,
then enter the code it shows.</p>
${errorBox(s.error)}
<label>Secret key</label>
<p><code id="totp-secret">${s.secret}</code></p>
<label>otpauth URI</label>
<p><code id="totp-uri">${s.uri}</code></p>
<form method="post" action="${AUTHORIZE_ACTIONS.mfa}">
  ${hidden({ flow: s.flow, pending: s.pending, challenge_id: s.challengeId, secret: s.secret, uri: s.uri })}
  <label for="code">Code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus>
  <button type="submit">Verify and continue</button>
</form>`,
    s.error ? 400 : 200,
  );
}
