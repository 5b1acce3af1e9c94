// CLI Auth (RFC 8628) over HTTP: a CLI gets a device code, polls; a person enters the user code on
// the verification page, signs in through the hosted pages and allows (or denies); the CLI's next
// poll gets tokens once. Polling too fast is slow_down; an old code is expired_token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openHarness, type Harness } from '../testing/harness.ts';
import { AUTHORIZE_ACTIONS } from '../hosted/sign-in-pages.ts';
import { formFor, submit } from '../hosted/testing.ts';

let h: Harness;
before(async () => {
  h = await openHarness({ seed: undefined });
});
after(() => h.close());

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function start() {
  const res = await h.request('POST', '/user_management/authorize/device', {
    body: { client_id: h.emulator.clientId },
    apiKey: null,
  });
  assert.equal(res.status, 200);
  return res.body as { device_code: string; user_code: string; verification_uri_complete: string; interval: number };
}

const poll = (deviceCode: string) =>
  h.request('POST', '/user_management/authenticate', {
    body: { grant_type: GRANT, device_code: deviceCode, client_id: h.emulator.clientId },
    apiKey: null,
  });

/** A browser without cookies: relative paths against the emulator, redirects by hand. */
const browse = (path: string, init?: RequestInit) =>
  fetch(new URL(path, h.emulator.url), { redirect: 'manual', ...init });

/** The person's side: code page, hosted sign-in as Grace, then the allow/deny page. */
async function personSignsIn(verificationUri: string, userCode: string): Promise<string> {
  const codePage = await (await browse(verificationUri)).text();
  assert.match(codePage, new RegExp(`value="${userCode}"`), 'verification_uri_complete pre-fills the code');
  const toSignIn = await submit(browse, formFor(codePage, '/device'), { user_code: userCode.toLowerCase() });
  assert.equal(toSignIn.status, 302);
  const emailPage = await (await browse(toSignIn.headers.get('location')!)).text();
  const passwordPage = await (
    await submit(browse, formFor(emailPage, AUTHORIZE_ACTIONS.email), { email: 'grace@globex.test' })
  ).text();
  const back = await submit(browse, formFor(passwordPage, AUTHORIZE_ACTIONS.password), {
    password: 'globex-grace-demo',
  });
  assert.equal(back.status, 303);
  const callback = new URL(back.headers.get('location')!);
  assert.equal(callback.pathname, '/device/callback');
  const confirm = await (await browse(`${callback.pathname}${callback.search}`)).text();
  assert.match(confirm, /grace@globex\.test/);
  return confirm;
}

test('allowed on the verification page, the polling CLI gets tokens exactly once', async () => {
  const device = await start();
  assert.match(device.user_code, /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
  assert.equal(device.interval, 5);
  const pending = await poll(device.device_code);
  assert.equal(pending.status, 400);
  assert.equal(pending.body.error, 'authorization_pending');
  const tooFast = await poll(device.device_code);
  assert.equal(tooFast.body.error, 'slow_down');

  const confirm = await personSignsIn(device.verification_uri_complete, device.user_code);
  const allowed = await submit(browse, formFor(confirm, '/device/confirm', 0));
  assert.match(await allowed.text(), /Device connected/);
  // The forged or replayed answer is refused: the confirmation token is single use.
  const replay = await submit(browse, formFor(confirm, '/device/confirm', 1));
  assert.equal(replay.status, 400);

  // slow_down added 5 s to the interval: wait it out on the emulator clock.
  await h.control('POST', '/clock', { advance_ms: 11_000 });
  const tokens = await poll(device.device_code);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  assert.equal(tokens.body.user.email, 'grace@globex.test');
  const jwks = createLocalJWKSet(await (await fetch(h.workos.userManagement.getJwksUrl(h.emulator.clientId))).json());
  const { payload } = await jwtVerify(tokens.body.access_token, jwks, { currentDate: new Date(Date.now() + 11_000) });
  assert.equal(payload.sub, tokens.body.user.id);
  const again = await poll(device.device_code);
  assert.equal(again.body.error, 'invalid_grant');
  h.assertConformant();
});

test('denied, the CLI gets access_denied; an old code is expired_token; a foreign client is refused', async () => {
  const device = await start();
  const confirm = await personSignsIn(device.verification_uri_complete, device.user_code);
  await submit(browse, formFor(confirm, '/device/confirm', 1));
  assert.equal((await poll(device.device_code)).body.error, 'access_denied');
  // The user code is spent: entering it again is refused.
  const reused = await submit(browse, { action: '/device', fields: {}, buttons: [] }, { user_code: device.user_code });
  assert.equal(reused.status, 400);

  const stale = await start();
  await h.control('POST', '/clock', { advance_ms: 301_000 });
  assert.equal((await poll(stale.device_code)).body.error, 'expired_token');
  const foreign = await h.request('POST', '/user_management/authorize/device', {
    body: { client_id: 'client_someone_else' },
    apiKey: null,
  });
  assert.equal(foreign.status, 400);
  assert.equal(foreign.body.error, 'invalid_client');
  assert.equal((await poll('not-a-device-code')).body.error, 'invalid_grant');
  h.assertConformant();
});
