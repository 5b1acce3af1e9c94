// SSO connections and the SSO code exchange with the test IdP, directory sync reads, and the
// admin portal link, through the SDK against the demo seed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundException, UnprocessableEntityException, WorkOS } from '@workos-inc/node';
import { openHarness, type Harness } from '../testing/harness.ts';
import { DEMO_SEED_PATH } from '../index.ts';

let h: Harness;
let clientId: string;
before(async () => {
  h = await openHarness({ seed: DEMO_SEED_PATH });
  clientId = h.emulator.clientId;
});
after(() => h.close());

const org = (name: string) => h.emulator.seed!.organizations[name]!;

test('connections: list with filters, get, activate/deactivate through control, delete', async () => {
  const all = await h.workos.sso.listConnections();
  assert.equal(all.data.length, 1);
  const acme = all.data[0]!;
  assert.equal(acme.organizationId, org('Acme'));
  assert.equal(acme.state, 'active');
  assert.equal(acme.type, 'GenericSAML');
  assert.equal((await h.workos.sso.listConnections({ organizationId: org('Globex') })).data.length, 0);
  assert.equal((await h.workos.sso.listConnections({ domain: 'acme.test' })).data[0]?.id, acme.id);
  assert.equal((await h.workos.sso.getConnection(acme.id)).name, 'Acme Test IdP');

  const created = await h.control('POST', '/connections', {
    organization_id: org('Globex'),
    connection_type: 'OktaSAML',
    state: 'draft',
  });
  assert.equal(created.state, 'draft');
  assert.equal((await h.control('POST', `/connections/${created.id}/state`, { state: 'active' })).state, 'active');
  assert.equal((await h.workos.sso.listConnections({ connectionType: 'OktaSAML' as never })).data.length, 1);
  await h.workos.sso.deleteConnection(created.id);
  await assert.rejects(h.workos.sso.getConnection(created.id), NotFoundException);
  const types = h.emulator.world.events.map((e) => e.event);
  assert.ok(types.includes('connection.activated') && types.includes('connection.deleted'));
  h.assertConformant();
});

test("/sso/authorize -> test IdP -> /sso/token -> /sso/profile, with the directory user's groups", async () => {
  const redirectUri = 'http://127.0.0.1:9/sso/callback';
  const url = h.workos.sso.getAuthorizationUrl({
    clientId,
    organization: org('Acme'),
    redirectUri,
    state: 'st-1',
    loginHint: 'alice@acme.test',
  });
  const res = await h.request('GET', `${new URL(url).pathname}${new URL(url).search}&prompt=none`, { apiKey: null });
  assert.equal(res.status, 302);
  const back = new URL(res.headers.get('location')!);
  assert.equal(back.searchParams.get('state'), 'st-1');
  const { profile, accessToken } = await h.workos.sso.getProfileAndToken({
    code: back.searchParams.get('code')!,
    clientId,
  });
  assert.equal(profile.email, 'alice@acme.test');
  assert.equal(profile.firstName, 'Alice');
  assert.equal(profile.organizationId, org('Acme'));
  assert.deepEqual([...(profile.groups ?? [])].sort(), ['Admins', 'Engineering']);
  assert.equal((await h.workos.sso.getProfile({ accessToken })).idpId, profile.idpId);
  await assert.rejects(
    h.workos.sso.getProfileAndToken({ code: back.searchParams.get('code')!, clientId }),
    (e: any) => e.error === 'invalid_grant',
  );
  const noToken = await h.request('GET', '/sso/profile', { apiKey: 'not-a-token' });
  assert.equal(noToken.status, 401);
  // SSO logout: a single-use URL for the profile, followed by the browser (no API key).
  const logout = await h.request('POST', '/sso/logout/authorize', { body: { profile_id: profile.id } });
  assert.equal(logout.status, 200);
  const logoutUrl = new URL(logout.body.logout_url);
  assert.equal(logoutUrl.searchParams.get('token'), logout.body.logout_token);
  assert.equal((await h.request('GET', `${logoutUrl.pathname}${logoutUrl.search}`, { apiKey: null })).status, 200);
  assert.equal((await fetch(logoutUrl)).status, 400, 'a logout token works once');
  assert.equal(
    (await h.request('POST', '/sso/logout/authorize', { body: { profile_id: 'prof_unknown' } })).status,
    404,
  );
  h.assertConformant();
});

test('public clients (no API key): SSO and AuthKit with PKCE, refresh without a secret', async () => {
  const pub = new WorkOS({ clientId, apiHostname: '127.0.0.1', port: h.emulator.port, https: false, fetchFn: h.fetch });
  const redirectUri = 'http://127.0.0.1:9/native';
  const sso = await pub.sso.getAuthorizationUrlWithPKCE({
    clientId,
    organization: org('Acme'),
    redirectUri,
    loginHint: 'bob@acme.test',
  });
  const ssoRes = await h.request('GET', `${new URL(sso.url).pathname}${new URL(sso.url).search}&prompt=none`, {
    apiKey: null,
  });
  const ssoCode = new URL(ssoRes.headers.get('location')!).searchParams.get('code')!;
  const { profile } = await pub.sso.getProfileAndToken({ code: ssoCode, clientId, codeVerifier: sso.codeVerifier });
  assert.equal(profile.email, 'bob@acme.test');

  const ak = await pub.userManagement.getAuthorizationUrlWithPKCE({
    clientId,
    organizationId: org('Acme'),
    redirectUri,
    loginHint: 'bob@acme.test',
    prompt: 'none',
  });
  const akRes = await h.request('GET', `${new URL(ak.url).pathname}${new URL(ak.url).search}`, { apiKey: null });
  const akCode = new URL(akRes.headers.get('location')!).searchParams.get('code')!;
  const auth = await pub.userManagement.authenticateWithCodeAndVerifier({
    clientId,
    code: akCode,
    codeVerifier: ak.codeVerifier,
  });
  const refreshed = await pub.userManagement.authenticateWithRefreshToken({
    clientId,
    refreshToken: auth.refreshToken,
  });
  assert.equal(refreshed.user.email, 'bob@acme.test');
  // Without a verifier a public client cannot redeem a code.
  const again = await pub.userManagement.getAuthorizationUrl({
    clientId,
    organizationId: org('Acme'),
    redirectUri,
    loginHint: 'bob@acme.test',
    prompt: 'none',
  });
  const againRes = await h.request('GET', `${new URL(again).pathname}${new URL(again).search}`, { apiKey: null });
  const body = {
    grant_type: 'authorization_code',
    client_id: clientId,
    code: new URL(againRes.headers.get('location')!).searchParams.get('code'),
  };
  const refused = await h.request('POST', '/user_management/authenticate', { apiKey: null, body });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'invalid_client');
  // Nor with a made-up verifier: the code was issued without a challenge.
  const forged = await h.request('POST', '/user_management/authenticate', {
    apiKey: null,
    body: { ...body, code_verifier: 'v'.repeat(43) },
  });
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error, 'invalid_grant');
  h.assertConformant();
});

test('directories, directory users and groups: list with filters and get', async () => {
  const dirs = await h.workos.directorySync.listDirectories({ organizationId: org('Acme') });
  assert.equal(dirs.data.length, 1);
  const dir = dirs.data[0]!;
  assert.equal(dir.type, 'okta scim v2.0');
  assert.equal((await h.workos.directorySync.getDirectory(dir.id)).name, 'Acme SCIM');
  const users = await h.workos.directorySync.listUsers({ directory: dir.id });
  assert.deepEqual(users.data.map((u) => u.email).sort(), ['alice@acme.test', 'bob@acme.test']);
  const groups = await h.workos.directorySync.listGroups({ directory: dir.id });
  const admins = groups.data.find((g) => g.name === 'Admins')!;
  const inAdmins = await h.workos.directorySync.listUsers({ group: admins.id });
  assert.deepEqual(
    inAdmins.data.map((u) => u.email),
    ['alice@acme.test'],
  );
  const alice = inAdmins.data[0]!;
  assert.deepEqual((await h.workos.directorySync.getUser(alice.id)).groups.map((g) => g.name).sort(), [
    'Admins',
    'Engineering',
  ]);
  assert.equal((await h.workos.directorySync.listGroups({ user: alice.id })).data.length, 2);
  assert.equal((await h.workos.directorySync.getGroup(admins.id)).name, 'Admins');
  await assert.rejects(h.workos.directorySync.getUser('directory_user_01NOPE'), NotFoundException);
  const noFilter = await h.request('GET', '/directory_users');
  assert.equal(noFilter.status, 422);

  const created = await h.control('POST', '/directories', {
    organization_id: org('Globex'),
    name: 'Globex Entra',
    type: 'azure scim v2.0',
  });
  assert.match(created.scim_url, /\/scim\/v2\/directory_01/);
  assert.ok(created.scim_token.length >= 16);
  await h.workos.directorySync.deleteDirectory(created.directory.id);
  assert.equal((await h.workos.directorySync.listDirectories({ organizationId: org('Globex') })).data.length, 0);
  h.assertConformant();
});

test('admin portal links for every intent expire after five minutes', async () => {
  const intents = ['sso', 'dsync', 'audit_logs', 'log_streams', 'domain_verification', 'certificate_renewal'] as const;
  const links: string[] = [];
  for (const intent of intents) {
    const { link } = await h.workos.adminPortal.generateLink({
      organization: org('Acme'),
      intent: intent as never,
      returnUrl: 'http://127.0.0.1:9/settings',
    });
    assert.ok(link.startsWith(`${h.emulator.url}/portal/`));
    links.push(link);
  }
  const token = new URL(links[0]!).searchParams.get('token')!;
  assert.equal(h.emulator.world.portalLinks.get(token)?.intent, 'sso');
  await assert.rejects(
    h.workos.adminPortal.generateLink({ organization: org('Acme'), intent: 'nope' as never }),
    UnprocessableEntityException,
  );
  await assert.rejects(
    h.workos.adminPortal.generateLink({ organization: 'org_01NOPE', intent: 'sso' as never }),
    NotFoundException,
  );
  const { openPortalLink } = await import('../services/portal.ts');
  assert.equal(openPortalLink(h.emulator.context, token).organization_id, org('Acme'));
  await h.control('POST', '/clock', { advance_ms: 5 * 60 * 1000 + 1 });
  assert.throws(() => openPortalLink(h.emulator.context, token), /expired/);
  await h.control('POST', '/clock', { offset_ms: 0 });
  h.assertConformant();
});

test('every event this suite made WorkOS announce matches the spec', async () => {
  assert.ok((await h.assertEventsConformant()) > 0);
});
