import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import type { EmulatorContext } from '../services/context.ts';
import { ensureDefaultRoles } from '../services/roles.ts';
import { createOrganization } from '../services/organizations.ts';
import { createUser } from '../services/users.ts';
import { insertMembership } from '../services/memberships.ts';
import { createConnection } from '../services/connections.ts';
import { createDirectory } from '../services/directories.ts';
import { generatePortalLink } from '../services/portal.ts';
import { authenticate } from '../services/authenticate.ts';
import { sendInvitation } from '../services/invitations.ts';
import { exchangeSsoCode } from '../services/sso.ts';
import { totpCode } from '../services/totp.ts';
import { createDirectoryUser } from '../scim/directory-sync.ts';
import { userFieldsFromScim } from '../scim/mapping.ts';
import { createHostedRouter } from './router.ts';
import { AUTHORIZE_ACTIONS } from './sign-in-pages.ts';
import { PORTAL_ACTIONS } from './portal-pages.ts';
import { formFor, formsOf, submit } from './testing.ts';

// The hosted pages in-process (app.request, urlencoded posts as a browser sends them), checked
// end to end by redeeming the resulting code through the authenticate service.

const BASE = 'http://emulator.test';
const APP_CALLBACK = 'http://app.test/callback';

async function setup() {
  const world = createWorld();
  const ctx: EmulatorContext = {
    world,
    keys: await openSigningKeys(),
    config: { apiKey: 'sk_test_hosted', clientId: 'client_hosted', baseUrl: BASE },
  };
  ensureDefaultRoles(ctx);
  const acme = createOrganization(ctx, { name: 'Acme', domain_data: [{ domain: 'acme.test', state: 'verified' }] });
  const globex = createOrganization(ctx, {
    name: 'Globex',
    domain_data: [{ domain: 'globex.test', state: 'verified' }],
  });
  const initech = createOrganization(ctx, { name: 'Initech' });
  const connection = createConnection(ctx, {
    organization_id: acme.id,
    connection_type: 'OktaSAML',
    state: 'active',
    domains: ['acme.test'],
  });
  const { directory } = createDirectory(ctx, { organization_id: acme.id, type: 'okta scim v2.0' });
  createDirectoryUser(
    world,
    directory,
    userFieldsFromScim({
      userName: 'ana@acme.test',
      externalId: '00u1',
      name: { givenName: 'Ana', familyName: 'Lima' },
      emails: [{ value: 'ana@acme.test', primary: true }],
    }),
  );
  const sam = createUser(ctx, { email: 'sam@globex.test', password: 'correct horse battery', email_verified: true });
  insertMembership(ctx, { userId: sam.id, orgId: globex.id, roleSlugs: ['member'], status: 'active' });
  const pat = createUser(ctx, { email: 'pat@globex.test', password: 'another long secret', email_verified: true });
  insertMembership(ctx, { userId: pat.id, orgId: globex.id, roleSlugs: ['member'], status: 'active' });
  insertMembership(ctx, { userId: pat.id, orgId: initech.id, roleSlugs: ['admin'], status: 'active' });
  const app = createHostedRouter(ctx);
  const request = async (path: string, init?: RequestInit) => app.request(`${BASE}${path}`, init);
  return { ctx, world, request, acme, globex, initech, connection };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function authorizePath(extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({
    client_id: 'client_hosted',
    redirect_uri: APP_CALLBACK,
    response_type: 'code',
    state: 'st-123',
    provider: 'authkit',
    ...extra,
  });
  return `/user_management/authorize?${q}`;
}

/** Redeems the code on the app's redirect exactly as the app's backend would. */
async function redeem(s: Setup, res: Response) {
  assert.equal(res.status, 303, await res.clone().text());
  const location = new URL(res.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, APP_CALLBACK);
  assert.equal(location.searchParams.get('state'), 'st-123');
  const code = location.searchParams.get('code') ?? '';
  return authenticate(s.ctx, {
    grant_type: 'authorization_code',
    client_id: 'client_hosted',
    client_secret: 'sk_test_hosted',
    code,
  }) as Promise<{
    user: { email: string };
    organization_id?: string;
    access_token: string;
  }>;
}

async function emailStep(s: Setup, email: string, extra: Record<string, string> = {}) {
  const first = await s.request(authorizePath(extra));
  assert.equal(first.status, 200);
  const html = await first.text();
  assert.doesNotMatch(
    html,
    /<script|https?:\/\/(?!app\.test|emulator\.test)/,
    'the page loads nothing and runs nothing',
  );
  return submit(s.request, formFor(html, AUTHORIZE_ACTIONS.email), { email });
}

test('email then password signs in and the code redeems for that user and organization', async () => {
  const s = await setup();
  const passwordPage = await (await emailStep(s, 'sam@globex.test')).text();
  const wrong = await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.password), { password: 'nope' });
  assert.equal(wrong.status, 400);
  assert.match(await wrong.text(), /Invalid credentials/);
  const ok = await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.password), {
    password: 'correct horse battery',
  });
  const auth = await redeem(s, ok);
  assert.equal(auth.user.email, 'sam@globex.test');
  assert.equal(auth.organization_id, s.globex.id);
  assert.ok(auth.access_token.split('.').length === 3);
});

test('a magic code goes to the outbox with a magic_auth.created event and signs in', async () => {
  const s = await setup();
  const passwordPage = await (await emailStep(s, 'sam@globex.test')).text();
  const codePage = await (await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.sendCode))).text();
  const mail = s.world.outbox.at(-1);
  assert.equal(mail?.kind, 'magic_auth');
  assert.equal(mail?.to, 'sam@globex.test');
  assert.ok(s.world.events.some((e) => e.event === 'magic_auth.created'));
  const bad = await submit(s.request, formFor(codePage, AUTHORIZE_ACTIONS.verifyCode), {
    code: '000000' === mail?.data.code ? '111111' : '000000',
  });
  assert.equal(bad.status, 400);
  const auth = await redeem(
    s,
    await submit(s.request, formFor(codePage, AUTHORIZE_ACTIONS.verifyCode), { code: mail?.data.code ?? '' }),
  );
  assert.equal(auth.user.email, 'sam@globex.test');
});

test('an email at an SSO domain goes to the test IdP, which lists directory users', async () => {
  const s = await setup();
  const idpPage = await (await emailStep(s, 'ana@acme.test')).text();
  assert.match(idpPage, /Test identity provider/);
  const pick = formsOf(idpPage).find(
    (f) => f.action === AUTHORIZE_ACTIONS.testIdp && f.fields.email === 'ana@acme.test',
  );
  assert.ok(pick, 'the directory user is offered');
  const auth = await redeem(s, await submit(s.request, pick, { action: 'sign-in' }));
  assert.equal(auth.user.email, 'ana@acme.test');
  assert.equal(auth.organization_id, s.acme.id);

  const cancelPage = await (await emailStep(s, 'someone@acme.test')).text();
  const cancel = formsOf(cancelPage).find((f) => f.buttons.some((b) => b.value === 'cancel'));
  assert.ok(cancel);
  const denied = await submit(s.request, cancel, { action: 'cancel' });
  assert.equal(new URL(denied.headers.get('location') ?? '').searchParams.get('error'), 'access_denied');
});

test('sign-up verifies the email with a code from the outbox before returning', async () => {
  const s = await setup();
  const page = await (await s.request(authorizePath({ screen_hint: 'sign-up' }))).text();
  const form = formFor(page, AUTHORIZE_ACTIONS.signUp);
  const short = await submit(s.request, form, { email: 'new@example.test', password: 'short' });
  assert.equal(short.status, 400);
  const verify = await (
    await submit(s.request, form, { email: 'new@example.test', password: 'long enough pw', first_name: 'Neo' })
  ).text();
  const mail = s.world.outbox.at(-1);
  assert.equal(mail?.kind, 'email_verification');
  const auth = await redeem(
    s,
    await submit(s.request, formFor(verify, AUTHORIZE_ACTIONS.verifyEmail), { code: mail?.data.code ?? '' }),
  );
  assert.equal(auth.user.email, 'new@example.test');
  assert.equal(
    s.world.users.get([...s.world.users.values()].find((u) => u.email === 'new@example.test')!.id)?.email_verified,
    true,
  );
});

test('a member of two organizations chooses one', async () => {
  const s = await setup();
  const passwordPage = await (await emailStep(s, 'pat@globex.test')).text();
  const choose = await (
    await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.password), { password: 'another long secret' })
  ).text();
  const options = formsOf(choose).filter((f) => f.action === AUTHORIZE_ACTIONS.organization);
  assert.deepEqual(options.map((o) => o.fields.organization_id).sort(), [s.globex.id, s.initech.id].sort());
  const initech = options.find((o) => o.fields.organization_id === s.initech.id)!;
  const forged = await submit(s.request, initech, { organization_id: s.acme.id });
  assert.equal(forged.status, 403);
  const auth = await redeem(s, await submit(s.request, initech));
  assert.equal(auth.organization_id, s.initech.id);
});

test('a tampered or foreign flow token is refused; a bad authorize request shows an error page', async () => {
  const s = await setup();
  const html = await (await s.request(authorizePath())).text();
  const form = formFor(html, AUTHORIZE_ACTIONS.email);
  const tampered = { ...form, fields: { flow: form.fields.flow!.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a')) } };
  const res = await submit(s.request, tampered, { email: 'sam@globex.test' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /expired/);
  const bad = await s.request(
    '/user_management/authorize?client_id=someone_else&redirect_uri=http://app.test/cb&provider=authkit',
  );
  assert.equal(bad.status, 422);
});

test('admin portal: directory setup shows a SCIM URL and token and fires dsync.activated', async () => {
  const s = await setup();
  const { link } = generatePortalLink(s.ctx, {
    organization: s.globex.id,
    intent: 'dsync',
    success_url: 'http://app.test/done',
  });
  const url = new URL(link);
  const page = await (await s.request(`${url.pathname}${url.search}`)).text();
  const done = await (
    await submit(s.request, formFor(page, PORTAL_ACTIONS.dsync), { type: 'azure scim v2.0', name: 'Globex Entra' })
  ).text();
  const scimUrl = /id="scim-url">([^<]+)</.exec(done)?.[1];
  const token = /id="scim-token">([^<]+)</.exec(done)?.[1];
  const directoryId = /id="directory-id">([^<]+)</.exec(done)?.[1] ?? '';
  assert.equal(scimUrl, `${BASE}/scim/v2/${directoryId}`);
  assert.equal(s.world.scimTokens.get(directoryId), token);
  const activated = s.world.events.filter((e) => e.event === 'dsync.activated').at(-1);
  assert.equal(activated?.data.id, directoryId);
  assert.equal(activated?.data.state, 'active');
  // The link is bound to its intent: it cannot open the SSO screens.
  assert.equal((await s.request(`/portal/sso${url.search}`)).status, 404);
});

test('admin portal: SSO setup activates a connection; an expired link is dead', async () => {
  const s = await setup();
  const { link } = generatePortalLink(s.ctx, { organization: s.globex.id, intent: 'sso' });
  const url = new URL(link);
  const page = await (await s.request(`${url.pathname}${url.search}`)).text();
  const done = await (
    await submit(s.request, formFor(page, PORTAL_ACTIONS.sso), { connection_type: 'AzureSAML', name: 'Globex Entra' })
  ).text();
  const connectionId = /id="connection-id">([^<]+)</.exec(done)?.[1];
  const event = s.world.events.filter((e) => e.event === 'connection.activated').at(-1);
  assert.equal(event?.data.id, connectionId);
  assert.equal(s.world.connections.get(connectionId ?? '')?.state, 'active');
  // Now globex.test emails go to the test IdP.
  assert.match(await (await emailStep(s, 'sam@globex.test')).text(), /Test identity provider/);
  s.world.clock.advance(6 * 60 * 1000);
  assert.equal((await s.request(`${url.pathname}${url.search}`)).status, 404);
});

test('an invitation link signs the invitee up, verifies the email and accepts the invitation', async () => {
  const s = await setup();
  const invitation = sendInvitation(s.ctx, {
    email: 'kim@example.test',
    organization_id: s.initech.id,
    role_slug: 'admin',
  }) as { accept_invitation_url: string; id: string };
  const url = new URL(invitation.accept_invitation_url);
  assert.equal(url.pathname, '/invite');
  const signUp = await (await s.request(`${url.pathname}${url.search}`)).text();
  const done = await submit(s.request, formFor(signUp, AUTHORIZE_ACTIONS.signUp), {
    email: 'kim@example.test',
    password: 'kims long password',
  });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /id="invitation-accepted"[\s\S]*Initech/);
  const kim = [...s.world.users.values()].find((u) => u.email === 'kim@example.test');
  assert.equal(kim?.email_verified, true, 'the invitation proves the mailbox');
  const membership = [...s.world.memberships.values()].find((m) => m.user_id === kim?.id);
  assert.equal(membership?.organization_id, s.initech.id);
  assert.equal(membership?.role.slug, 'admin');
  assert.equal(s.world.invitations.get(invitation.id)?.state, 'accepted');
  assert.equal((await s.request(`${url.pathname}${url.search}`)).status, 404, 'a used invitation link is dead');

  // With the token on an app's authorize URL, the invitee lands back in the app, in that organization.
  const other = sendInvitation(s.ctx, { email: 'sam@globex.test', organization_id: s.initech.id }) as { token: string };
  const passwordPage = await (await emailStep(s, 'sam@globex.test', { invitation_token: other.token })).text();
  const auth = await redeem(
    s,
    await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.password), { password: 'correct horse battery' }),
  );
  assert.equal(auth.organization_id, s.initech.id);
});

test('forgot password mails a reset link whose page sets a new password once', async () => {
  const s = await setup();
  const passwordPage = await (await emailStep(s, 'sam@globex.test')).text();
  const sent = await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.forgotPassword));
  assert.match(await sent.text(), /id="reset-sent"/);
  const unknown = await submit(s.request, {
    action: AUTHORIZE_ACTIONS.forgotPassword,
    fields: { email: 'nobody@globex.test' },
    buttons: [],
  });
  assert.equal(unknown.status, 200, 'an unknown email gets the same answer');
  const mail = s.world.outbox.filter((m) => m.kind === 'password_reset');
  assert.equal(mail.length, 1);
  const link = new URL(mail[0]!.data.url ?? '');
  const resetPage = await (await s.request(`${link.pathname}${link.search}`)).text();
  const form = formFor(resetPage, '/_hosted/reset-password');
  const ok = await submit(s.request, form, { new_password: 'a brand new password' });
  assert.match(await ok.text(), /id="password-updated"/);
  assert.equal(
    (await submit(s.request, form, { new_password: 'yet another password' })).status,
    400,
    'the token is single use',
  );
  const again = await (await emailStep(s, 'sam@globex.test')).text();
  const auth = await redeem(
    s,
    await submit(s.request, formFor(again, AUTHORIZE_ACTIONS.password), { password: 'a brand new password' }),
  );
  assert.equal(auth.user.email, 'sam@globex.test');
});

test('the SSO API flow: /sso/authorize shows the test IdP, the code exchanges for a profile', async () => {
  const s = await setup();
  const q = new URLSearchParams({
    client_id: 'client_hosted',
    redirect_uri: APP_CALLBACK,
    response_type: 'code',
    state: 'st-123',
    connection: s.connection.id,
  });
  const idpPage = await (await s.request(`/sso/authorize?${q}`)).text();
  const pick = formsOf(idpPage).find((f) => f.fields.email === 'ana@acme.test');
  assert.ok(pick, 'the directory user is offered');
  const res = await submit(s.request, pick, { action: 'sign-in' });
  assert.equal(res.status, 303);
  const location = new URL(res.headers.get('location') ?? '');
  assert.equal(location.searchParams.get('state'), 'st-123');
  const { profile } = exchangeSsoCode(s.ctx, {
    client_id: 'client_hosted',
    client_secret: 'sk_test_hosted',
    grant_type: 'authorization_code',
    code: location.searchParams.get('code') ?? '',
  });
  assert.equal(profile.email, 'ana@acme.test');
  assert.equal(profile.idp_id, '00u1');
  assert.equal(profile.connection_id, s.connection.id);
});

test('MFA: enrollment when the environment requires it, then a TOTP challenge on the next sign-in', async () => {
  const s = await setup();
  s.world.settings.mfa_required = true;
  const passwordPage = await (await emailStep(s, 'sam@globex.test')).text();
  const enroll = await (
    await submit(s.request, formFor(passwordPage, AUTHORIZE_ACTIONS.password), { password: 'correct horse battery' })
  ).text();
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enroll)?.[1] ?? '';
  assert.match(/id="totp-uri">([^<]+)</.exec(enroll)?.[1] ?? '', /^otpauth:\/\/totp\//);
  const first = await redeem(
    s,
    await submit(s.request, formFor(enroll, AUTHORIZE_ACTIONS.mfa), { code: totpCode(secret, s.world.clock.nowMs()) }),
  );
  assert.equal(first.user.email, 'sam@globex.test');

  const again = await (await emailStep(s, 'sam@globex.test')).text();
  const challenge = await (
    await submit(s.request, formFor(again, AUTHORIZE_ACTIONS.password), { password: 'correct horse battery' })
  ).text();
  assert.match(challenge, /Two-factor authentication/);
  const current = totpCode(secret, s.world.clock.nowMs());
  const wrong = await submit(s.request, formFor(challenge, AUTHORIZE_ACTIONS.mfa), {
    code: current === '000000' ? '111111' : '000000',
  });
  assert.equal(wrong.status, 400);
  const second = await redeem(
    s,
    await submit(s.request, formFor(await wrong.text(), AUTHORIZE_ACTIONS.mfa), { code: current }),
  );
  assert.equal(second.organization_id, s.globex.id);
});
