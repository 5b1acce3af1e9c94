import { Hono } from 'hono';
import { html } from 'hono/html';
import type { EmulatorContext } from '../services/context.ts';
import { EmulatorError } from '../services/errors.ts';
import { confirmPasswordReset, createPasswordReset } from '../services/one-time-codes.ts';
import { errorBox, hidden, page } from './layout.ts';
import { messageOf, render } from './sign-in-finish.ts';
import { AUTHORIZE_ACTIONS } from './sign-in-pages.ts';

// The page a password reset email links to (`password_reset_url`, `<base>/reset-password?token=…`).
// The token is checked when the new password is submitted (single use, expiry on the emulator
// clock), by the same service `POST /user_management/password_reset/confirm` uses.

const ACTION = '/_hosted/reset-password';
const FORGOT_PASSWORD_ACTION = AUTHORIZE_ACTIONS.forgotPassword;
const MIN_PASSWORD_LENGTH = 8;

function resetPage(token: string, error?: string) {
  return page(
    'Choose a new password',
    html`
<h1>Choose a new password</h1>
${errorBox(error)}
<form method="post" action="${ACTION}">
  ${hidden({ token })}
  <label for="new_password">New password</label>
  <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required autofocus>
  <button type="submit">Set password</button>
</form>`,
    error ? 400 : 200,
  );
}

export function createPasswordResetPages(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.get('/reset-password', (c) => render(c, resetPage(c.req.query('token') ?? '')));
  app.post(ACTION, async (c) => {
    const body = await c.req.parseBody();
    const token = typeof body.token === 'string' ? body.token : '';
    const password = typeof body.new_password === 'string' ? body.new_password : '';
    if (password.length < MIN_PASSWORD_LENGTH)
      return render(c, resetPage(token, `Use at least ${MIN_PASSWORD_LENGTH} characters.`));
    try {
      confirmPasswordReset(ctx, { token, new_password: password });
    } catch (error) {
      return render(c, resetPage(token, messageOf(error)));
    }
    return render(
      c,
      page(
        'Password updated',
        html`<h1>Password updated</h1><p id="password-updated">Sign in with your new password.</p>`,
      ),
    );
  });
  // "Forgot password?" on the password page. The answer is the same whether or not the
  // account exists, so the page cannot be used to find out which emails have accounts.
  app.post(FORGOT_PASSWORD_ACTION, async (c) => {
    const body = await c.req.parseBody();
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    try {
      createPasswordReset(ctx, { email });
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
    }
    return render(
      c,
      page(
        'Check your email',
        html`<h1>Check your email</h1>
<p id="reset-sent">If an account exists for <strong>${email}</strong>, we sent a link to reset its password
(in the emulator: <code>GET /_emulator/outbox</code>).</p>`,
      ),
    );
  });
  return app;
}
