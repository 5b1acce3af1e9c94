import { Hono } from 'hono';
import { html } from 'hono/html';
import type { EmulatorContext } from '../services/context.ts';
import {
  VERIFICATION_PATH,
  attachSignIn,
  decide,
  formatUserCode,
  pendingByUserCode,
  signInUrl,
} from '../services/device-authorization.ts';
import { DEVICE_CALLBACK_PATH } from '../services/redirect-uris.ts';
import { errorBox, hidden, page } from './layout.ts';
import { messageOf, render } from './sign-in-finish.ts';

// CLI Auth's verification pages (what `verification_uri` points at):
//   GET  /device?user_code=…   enter (or confirm) the code the terminal shows
//   POST /device               a live code sends the browser through the hosted AuthKit sign-in
//   GET  /device/callback      back from sign-in: "allow this device?" for the signed-in user
//   POST /device/confirm       allow or deny; the CLI's next poll gets tokens or access_denied

const CONFIRM_ACTION = `${VERIFICATION_PATH}/confirm`;

function codePage(userCode: string, error?: string) {
  return page(
    'Connect a device',
    html`
<h1>Connect a device</h1>
<p class="sub">Enter the code shown in your terminal.</p>
${errorBox(error)}
<form method="post" action="${VERIFICATION_PATH}">
  <label for="user_code">Code</label>
  <input id="user_code" name="user_code" value="${userCode}" autocomplete="off" required autofocus>
  <button type="submit">Continue</button>
</form>`,
    error ? 400 : 200,
  );
}

function confirmPage(id: string, userCode: string, email: string, confirmToken: string) {
  return page(
    'Allow this device?',
    html`
<h1>Allow this device?</h1>
<p class="sub">Signed in as ${email}.</p>
<p>Allow the device showing <code id="device-user-code">${userCode}</code> to act as you?</p>
<form method="post" action="${CONFIRM_ACTION}">
  ${hidden({ id, confirm_token: confirmToken, decision: 'allow' })}
  <button type="submit" id="device-allow">Allow</button>
</form>
<form method="post" action="${CONFIRM_ACTION}">
  ${hidden({ id, confirm_token: confirmToken, decision: 'deny' })}
  <button type="submit" class="secondary" id="device-deny">Deny</button>
</form>`,
  );
}

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? body[name] : '');

export function createDevicePages(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.get(VERIFICATION_PATH, (c) => render(c, codePage(c.req.query('user_code') ?? '')));
  app.post(VERIFICATION_PATH, async (c) => {
    const userCode = field(await c.req.parseBody(), 'user_code');
    const record = pendingByUserCode(ctx, userCode);
    if (!record) return render(c, codePage(userCode, 'That code is not valid or has expired.'));
    return c.redirect(signInUrl(ctx, record), 302);
  });
  app.get(DEVICE_CALLBACK_PATH, (c) => {
    try {
      const { record, email, confirmToken } = attachSignIn(ctx, c.req.query('state') ?? '', c.req.query('code') ?? '');
      return render(c, confirmPage(record.id, formatUserCode(record.user_code), email, confirmToken));
    } catch (error) {
      return render(c, codePage('', messageOf(error)));
    }
  });
  app.post(CONFIRM_ACTION, async (c) => {
    const body = await c.req.parseBody();
    try {
      const outcome = decide(ctx, field(body, 'id'), field(body, 'confirm_token'), field(body, 'decision') === 'allow');
      const done =
        outcome === 'approved'
          ? html`<h1>Device connected</h1><p id="device-result">You can return to your terminal.</p>`
          : html`<h1>Request denied</h1><p id="device-result">The device was not connected.</p>`;
      return render(c, page(outcome === 'approved' ? 'Device connected' : 'Request denied', done));
    } catch (error) {
      return render(c, codePage('', messageOf(error)));
    }
  });
  return app;
}
