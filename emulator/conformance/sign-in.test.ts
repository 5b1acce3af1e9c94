// AuthKit sign-in through the unmodified SDK against the demo seed: every authenticate grant,
// the policy answers (organization selection, SSO required, email verification), sessions,
// and the access token's claims verified against the emulator's JWKS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify, decodeJwt } from 'jose';
import { AuthenticationException, GenericServerException, OauthException } from '@workos-inc/node';
import { openHarness, type Harness } from '../testing/harness.ts';
import { DEMO_SEED_PATH } from '../index.ts';

let h: Harness;
let clientId: string;
const cookiePassword = 'a-cookie-password-of-at-least-32-characters';
before(async () => {
  h = await openHarness({ seed: DEMO_SEED_PATH });
  clientId = h.emulator.clientId;
});
after(() => h.close());

const org = (name: string) => h.emulator.seed!.organizations[name]!;
const jwks = () => createRemoteJWKSet(new URL(h.workos.userManagement.getJwksUrl(clientId)));

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

test('password sign-in with one organization: claims, JWKS verification and the SDK sealed session', async () => {
  const auth = await h.workos.userManagement.authenticateWithPassword({
    clientId,
    email: 'grace@globex.test',
    password: 'globex-grace-demo',
    session: { sealSession: true, cookiePassword },
  });
  assert.equal(auth.organizationId, org('Globex'));
  assert.equal(auth.authenticationMethod, 'Password');
  const { payload, protectedHeader } = await jwtVerify(auth.accessToken, jwks());
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.iss, `${h.emulator.url}/user_management/${clientId}`);
  assert.equal(payload.sub, auth.user.id);
  assert.match(String(payload.sid), /^session_01/);
  assert.ok(payload.jti);
  assert.equal(payload.exp! - payload.iat!, 300);
  assert.equal(payload.org_id, org('Globex'));
  assert.equal(payload.role, 'admin');
  assert.deepEqual(payload.roles, ['admin']);
  assert.deepEqual(payload.permissions, [
    'api_keys:manage',
    'audit:read',
    'members:manage',
    'members:read',
    'sso:manage',
  ]);

  const session = h.workos.userManagement.loadSealedSession({ sessionData: auth.sealedSession!, cookiePassword });
  const checked = await session.authenticate();
  assert.equal(checked.authenticated, true);
  assert.equal(checked.authenticated && checked.organizationId, org('Globex'));
  assert.equal(checked.authenticated && checked.role, 'admin');
  await assert.rejects(
    h.workos.userManagement.authenticateWithPassword({ clientId, email: 'grace@globex.test', password: 'wrong' }),
    (e: any) => e.status === 400 && e.rawData?.code === 'invalid_credentials',
  );
  h.assertConformant();
});

test('a user in two organizations must choose one; the pending token redeems the choice', async () => {
  const error = await rejection(
    h.workos.userManagement.authenticateWithPassword({
      clientId,
      email: 'sam@globex.test',
      password: 'both-orgs-sam-demo',
    }),
  );
  assert.ok(error instanceof GenericServerException);
  assert.equal(error.status, 403);
  const raw = error.rawData as {
    code: string;
    pending_authentication_token: string;
    organizations: Array<{ id: string; name: string }>;
    user: { email: string };
  };
  assert.equal(raw.code, 'organization_selection_required');
  assert.equal(raw.user.email, 'sam@globex.test');
  assert.deepEqual(raw.organizations.map((o) => o.name).sort(), ['Acme', 'Globex']);
  const stranger = await h.workos.organizations.createOrganization({ name: 'Not Sams' });
  await assert.rejects(
    h.workos.userManagement.authenticateWithOrganizationSelection({
      clientId,
      pendingAuthenticationToken: raw.pending_authentication_token,
      organizationId: stranger.id,
    }),
    (e: any) => e.rawData?.code === 'invalid_organization_id',
  );
  const auth = await h.workos.userManagement.authenticateWithOrganizationSelection({
    clientId,
    pendingAuthenticationToken: raw.pending_authentication_token,
    organizationId: org('Acme'),
  });
  assert.equal(auth.organizationId, org('Acme'));
  assert.equal(decodeJwt(auth.accessToken).role, 'member');
  await assert.rejects(
    h.workos.userManagement.authenticateWithOrganizationSelection({
      clientId,
      pendingAuthenticationToken: raw.pending_authentication_token,
      organizationId: org('Acme'),
    }),
    (e: any) => e.rawData?.code === 'invalid_pending_authentication_token',
  );

  // The refresh grant switches the session to the other organization and rotates the token.
  const switched = await h.workos.userManagement.authenticateWithRefreshToken({
    clientId,
    refreshToken: auth.refreshToken,
    organizationId: org('Globex'),
  });
  assert.equal(decodeJwt(switched.accessToken).org_id, org('Globex'));
  assert.equal(decodeJwt(switched.accessToken).sid, decodeJwt(auth.accessToken).sid);
  const replay = await rejection(
    h.workos.userManagement.authenticateWithRefreshToken({ clientId, refreshToken: auth.refreshToken }),
  );
  assert.ok(replay instanceof OauthException);
  assert.equal(replay.error, 'invalid_grant');
  h.assertConformant();
});

test('a password on an SSO-enforced domain answers sso_required with the connection', async () => {
  const alice = h.emulator.seed!.users['alice@acme.test']!;
  await h.workos.userManagement.updateUser({ userId: alice, password: 'alice-has-a-password' });
  const error = await rejection(
    h.workos.userManagement.authenticateWithPassword({
      clientId,
      email: 'alice@acme.test',
      password: 'alice-has-a-password',
    }),
  );
  // SDK v11 raises sign-in steps as AuthenticationException with the step in `code`.
  assert.ok(error instanceof AuthenticationException);
  assert.equal(error.code, 'sso_required');
  const raw = error.rawData as unknown as {
    connection_ids: string[];
    email: string;
    pending_authentication_token: string;
  };
  assert.deepEqual(raw.connection_ids, h.emulator.seed!.connections.Acme);
  assert.equal(raw.email, 'alice@acme.test');
  assert.ok(raw.pending_authentication_token);
  h.assertConformant();
});

test('magic code sign-in; an unverified password user must verify the emailed code first', async () => {
  const magic = await h.workos.userManagement.createMagicAuth({ email: 'grace@globex.test' });
  const viaCode = await h.workos.userManagement.authenticateWithMagicAuth({
    clientId,
    email: 'grace@globex.test',
    code: magic.code,
  });
  assert.equal(viaCode.authenticationMethod, 'MagicAuth');
  await assert.rejects(
    h.workos.userManagement.authenticateWithMagicAuth({ clientId, email: 'grace@globex.test', code: magic.code }),
    (e: any) => e.rawData?.code === 'one_time_code_previously_used',
  );

  await h.workos.userManagement.createUser({ email: 'newbie@globex.test', password: 'newbie-password' });
  const error = await rejection(
    h.workos.userManagement.authenticateWithPassword({
      clientId,
      email: 'newbie@globex.test',
      password: 'newbie-password',
    }),
  );
  assert.equal(error.status, 403);
  assert.equal(error.rawData.code, 'email_verification_required');
  const code = h.emulator.world.outbox.findLast(
    (m) => m.to === 'newbie@globex.test' && m.kind === 'email_verification',
  )!.data.code!;
  const typo = code === '000000' ? '111111' : '000000';
  await assert.rejects(
    h.workos.userManagement.authenticateWithEmailVerification({
      clientId,
      code: typo,
      pendingAuthenticationToken: error.rawData.pending_authentication_token,
    }),
    (e: any) => e.rawData?.code === 'invalid_one_time_code',
  );
  // The typo did not burn the pending authentication.
  const auth = await h.workos.userManagement.authenticateWithEmailVerification({
    clientId,
    code,
    pendingAuthenticationToken: error.rawData.pending_authentication_token,
  });
  assert.equal(auth.user.emailVerified, true);
  assert.equal(auth.organizationId, undefined, 'no membership, no organization session');
  h.assertConformant();
});

test('an invitation token accepted during sign-in lands the user in the invited organization and role', async () => {
  const um = h.workos.userManagement;
  const invitation = await um.sendInvitation({
    email: 'invitee@globex.test',
    organizationId: org('Globex'),
    roleSlug: 'admin',
  });
  await um.createUser({ email: 'invitee@globex.test', password: 'invitee-password', emailVerified: true });
  await assert.rejects(
    um.authenticateWithPassword({
      clientId,
      email: 'grace@globex.test',
      password: 'globex-grace-demo',
      invitationToken: invitation.token,
    }),
    (e: any) => e.error === 'invitation_cannot_be_used_for_email',
  );
  const auth = await um.authenticateWithPassword({
    clientId,
    email: 'invitee@globex.test',
    password: 'invitee-password',
    invitationToken: invitation.token,
  });
  assert.equal(auth.organizationId, org('Globex'));
  assert.equal(decodeJwt(auth.accessToken).role, 'admin');
  assert.equal((await um.getInvitation(invitation.id)).state, 'accepted');
  await assert.rejects(
    um.authenticateWithPassword({
      clientId,
      email: 'invitee@globex.test',
      password: 'invitee-password',
      invitationToken: invitation.token,
    }),
    (e: any) => e.error === 'invitation_invalid',
  );
  h.assertConformant();
});

test('authorization code with PKCE through the non-interactive test IdP (SSO, JIT membership)', async () => {
  const redirectUri = 'http://127.0.0.1:9/callback';
  const { url, state, codeVerifier } = await h.workos.userManagement.getAuthorizationUrlWithPKCE({
    clientId,
    organizationId: org('Acme'),
    redirectUri,
    loginHint: 'carol@acme.test',
    prompt: 'none',
  });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const back = new URL(res.headers.get('location')!);
  assert.equal(back.origin + back.pathname, redirectUri);
  assert.equal(back.searchParams.get('state'), state);
  const code = back.searchParams.get('code')!;
  await assert.rejects(
    h.workos.userManagement.authenticateWithCodeAndVerifier({ clientId, code, codeVerifier: 'x'.repeat(43) }),
    (e: any) => e.error === 'invalid_grant',
  );
  // A failed PKCE check does not burn the code; the right verifier still redeems it once.
  const auth = await h.workos.userManagement.authenticateWithCodeAndVerifier({ clientId, code, codeVerifier });
  assert.equal(auth.user.email, 'carol@acme.test');
  assert.equal(auth.authenticationMethod, 'SSO');
  assert.equal(
    h.emulator.world.events.findLast((e) => e.event === 'authentication.sso_succeeded')?.data.email,
    'carol@acme.test',
  );
  assert.equal(auth.organizationId, org('Acme'));
  assert.equal(decodeJwt(auth.accessToken).role, 'member');
  await assert.rejects(
    h.workos.userManagement.authenticateWithCodeAndVerifier({ clientId, code, codeVerifier }),
    (e: any) => e.error === 'invalid_grant',
  );
  h.assertConformant();
});

test('registered redirect URIs: once any is registered, others are refused', async () => {
  const allowed = 'http://127.0.0.1:9/registered';
  const res = await h.request('POST', '/user_management/redirect_uris', { body: { uri: allowed } });
  assert.equal(res.status, 201);
  assert.equal(res.body.default, true);
  assert.equal((await h.request('POST', '/user_management/redirect_uris', { body: { uri: allowed } })).status, 400);
  const query = (redirectUri: string) =>
    h.workos.userManagement.getAuthorizationUrl({
      clientId,
      organizationId: org('Acme'),
      redirectUri,
      loginHint: 'bob@acme.test',
      prompt: 'none',
    });
  const refused = await h.request(
    'GET',
    new URL(query('http://127.0.0.1:9/elsewhere')).pathname + new URL(query('http://127.0.0.1:9/elsewhere')).search,
    { apiKey: null },
  );
  assert.equal(refused.status, 422);
  assert.equal(refused.body.errors[0].code, 'redirect_uri_not_allowed');
  const ok = await h.request('GET', new URL(query(allowed)).pathname + new URL(query(allowed)).search, {
    apiKey: null,
  });
  assert.equal(ok.status, 302);
  h.emulator.world.redirectUris.clear();
  h.assertConformant();
});

test('sessions: list, revoke (refresh then fails), logout redirect ends the session', async () => {
  const auth = await h.workos.userManagement.authenticateWithPassword({
    clientId,
    email: 'grace@globex.test',
    password: 'globex-grace-demo',
  });
  const sid = String(decodeJwt(auth.accessToken).sid);
  const sessions = await h.workos.userManagement.listSessions(auth.user.id);
  assert.ok(sessions.data.some((s) => s.id === sid && s.status === 'active'));
  await h.workos.userManagement.revokeSession({ sessionId: sid });
  const after = await h.workos.userManagement.listSessions(auth.user.id);
  assert.equal(after.data.find((s) => s.id === sid)?.status, 'revoked');
  await assert.rejects(
    h.workos.userManagement.authenticateWithRefreshToken({ clientId, refreshToken: auth.refreshToken }),
    (e: any) => e.error === 'invalid_grant',
  );

  const second = await h.workos.userManagement.authenticateWithPassword({
    clientId,
    email: 'grace@globex.test',
    password: 'globex-grace-demo',
  });
  const sid2 = String(decodeJwt(second.accessToken).sid);
  const logoutUrl = h.workos.userManagement.getLogoutUrl({ sessionId: sid2, returnTo: 'http://127.0.0.1:9/bye' });
  const res = await h.request('GET', new URL(logoutUrl).pathname + new URL(logoutUrl).search, { apiKey: null });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), 'http://127.0.0.1:9/bye');
  assert.equal(h.emulator.world.sessions.get(sid2)?.status, 'revoked');
  h.assertConformant();
});

test('impersonation puts act in the token; rotated keys keep old tokens valid until dropped', async () => {
  const grace = h.emulator.seed!.users['grace@globex.test']!;
  const { code } = await h.control('POST', '/authorization_codes', {
    user_id: grace,
    organization_id: org('Globex'),
    redirect_uri: 'http://127.0.0.1:9/cb',
    impersonator: { email: 'support@gatehouse.test', reason: 'ticket 42' },
  });
  const auth = await h.workos.userManagement.authenticateWithCode({ clientId, code });
  assert.deepEqual(auth.impersonator, { email: 'support@gatehouse.test', reason: 'ticket 42' });
  assert.deepEqual(decodeJwt(auth.accessToken).act, { sub: 'support@gatehouse.test', reason: 'ticket 42' });

  const oldKid = h.emulator.context.keys.current().kid;
  const rotated = await h.control('POST', '/keys/rotate');
  assert.equal(rotated.keys.length, 2);
  const jwksBody = await h.request('GET', `/sso/jwks/${clientId}`, { apiKey: null });
  assert.deepEqual(
    jwksBody.body.keys.map((k: { kid: string }) => k.kid),
    [rotated.kid, oldKid],
  );
  await jwtVerify(auth.accessToken, createRemoteJWKSet(new URL(`${h.emulator.url}/sso/jwks/${clientId}`)));
  await h.control('DELETE', `/keys/${oldKid}`);
  await assert.rejects(
    jwtVerify(auth.accessToken, createRemoteJWKSet(new URL(`${h.emulator.url}/sso/jwks/${clientId}`))),
  );
  h.assertConformant();
});

test('M2M client_credentials: a JWT carrying org_id, verifiable with the same JWKS', async () => {
  const res = await h.request('POST', '/oauth2/token', {
    apiKey: null,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'client_acme_reporting',
      client_secret: 'acme-reporting-demo-secret',
    }).toString(),
  });
  assert.equal(res.status, 200);
  const { payload } = await jwtVerify(res.body.access_token, jwks());
  assert.equal(payload.org_id, org('Acme'));
  assert.equal(payload.sub, 'client_acme_reporting');
  const bad = await h.request('POST', '/oauth2/token', {
    apiKey: null,
    body: { grant_type: 'client_credentials', client_id: 'client_acme_reporting', client_secret: 'wrong-secret' },
  });
  assert.equal(bad.status, 401);
  h.assertConformant();
});

test('every event this suite made WorkOS announce matches the spec', async () => {
  assert.ok((await h.assertEventsConformant()) > 0);
});
