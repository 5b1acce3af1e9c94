// WorkOS Connect applications and Radar through the SDK: OAuth and M2M applications with their
// rules, client secrets shown once and usable at /oauth2/token; Radar verdicts from allow and block
// lists and a burst of unconfirmed attempts, cleared by a reported success.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let orgId: string;
before(async () => {
  h = await openHarness();
  orgId = (await h.workos.organizations.createOrganization({ name: 'Connect Org' })).id;
});
after(() => h.close());

test('Connect: OAuth and M2M applications, secrets shown once, M2M secrets mint tokens', async () => {
  const w = h.workos as any;
  const oauth = await w.connect.createApplication({
    applicationType: 'oauth',
    name: 'Partner app',
    isFirstParty: false,
    organizationId: orgId,
    redirectUris: [{ uri: 'https://partner.test/cb' }, { uri: 'https://partner.test/cb2' }],
    usesPkce: true,
  });
  assert.equal(oauth.applicationType, 'oauth');
  const raw = await h.request('GET', `/connect/applications/${oauth.clientId}`);
  assert.equal(raw.body.id, oauth.id, 'found by client id too');
  assert.deepEqual(
    raw.body.redirect_uris.map((r: any) => r.default),
    [true, false],
  );
  const renamed = await w.connect.updateApplication({ id: oauth.id, name: 'Partner app v2' });
  assert.equal(renamed.name, 'Partner app v2');
  assert.deepEqual(renamed.redirectUris.length, 2, 'fields the SDK sends as null are left as they are');

  const thirdPartyWithoutOrg = await h.request('POST', '/connect/applications', {
    body: { application_type: 'oauth', name: 'x', is_first_party: false },
  });
  assert.equal(thirdPartyWithoutOrg.status, 422);
  const m2mUnknownOrg = await h.request('POST', '/connect/applications', {
    body: { application_type: 'm2m', name: 'x', organization_id: 'org_nope' },
  });
  assert.equal(m2mUnknownOrg.status, 404);
  const twoDefaults = await h.request('POST', '/connect/applications', {
    body: {
      application_type: 'oauth',
      name: 'x',
      is_first_party: true,
      redirect_uris: [
        { uri: 'https://a.test', default: true },
        { uri: 'https://b.test', default: true },
      ],
    },
  });
  assert.equal(twoDefaults.status, 422);

  const m2m = await w.connect.createApplication({
    applicationType: 'm2m',
    name: 'Reporter',
    organizationId: orgId,
    scopes: ['reports:read'],
  });
  const secret = await w.connect.createApplicationClientSecret({ id: m2m.id });
  assert.ok(secret.secret.length >= 32);
  const listed = await w.connect.listApplicationClientSecrets({ id: m2m.id });
  assert.equal(listed.length, 1);
  assert.equal(JSON.stringify(h.exchanges.at(-1)?.body).includes(secret.secret), false, 'a listed secret is hidden');
  const token = await h.request('POST', '/oauth2/token', {
    body: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: secret.secret },
    apiKey: null,
  });
  assert.equal(token.status, 200);
  assert.equal(token.body.scope, 'reports:read');
  await w.connect.deleteClientSecret({ id: secret.id });
  const revoked = await h.request('POST', '/oauth2/token', {
    body: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: secret.secret },
    apiKey: null,
  });
  assert.equal(revoked.status, 401);

  const mine = await w.connect.listApplications({ organizationId: orgId });
  assert.deepEqual(mine.data.map((a: any) => a.id).sort(), [oauth.id, m2m.id].sort());
  await w.connect.deleteApplication({ id: oauth.id });
  assert.equal((await h.request('GET', `/connect/applications/${oauth.id}`)).status, 404);
  h.assertConformant();
});

test('Radar: lists decide first; a burst of unconfirmed attempts is challenged until a success', async () => {
  const w = h.workos as any;
  const attempt = (email: string, ipAddress = '203.0.113.7') =>
    w.radar.createAttempt({ ipAddress, userAgent: 'test', email, action: 'sign-in', authMethod: 'Password' });
  assert.equal((await attempt('first@radar.test')).verdict, 'allow');

  const added = await h.request('POST', '/radar/lists/domain/block', { body: { entry: 'Evil.test' } });
  assert.equal(added.status, 201);
  const again = await w.radar.addListEntry({ type: 'domain', action: 'block', entry: 'evil.test' });
  assert.match(again.message, /already/);
  const blocked = await attempt('mallory@evil.test');
  assert.equal(blocked.verdict, 'block');
  assert.equal(blocked.control, 'restriction');
  assert.equal(blocked.blocklistType, 'domain');
  await h.request('POST', '/radar/lists/email/allow', { body: { entry: 'trusted@evil.test' } });
  assert.equal((await attempt('trusted@evil.test')).verdict, 'allow', 'an allow-list entry wins');
  await w.radar.removeListEntry({ type: 'domain', action: 'block', entry: 'evil.test' });
  assert.equal((await attempt('mallory@evil.test')).verdict, 'allow');
  const missing = await h.request('DELETE', '/radar/lists/domain/block', { body: { entry: 'evil.test' } });
  assert.equal(missing.status, 404);
  const badIp = await h.request('POST', '/radar/lists/ip_address/block', { body: { entry: 'not-an-ip' } });
  assert.equal(badIp.status, 400);

  let last: any;
  for (let i = 0; i < 6; i += 1) last = await attempt('victim@radar.test');
  assert.equal(last.verdict, 'challenge');
  assert.equal(last.control, 'brute_force_attack');
  await w.radar.updateAttempt({ id: last.attemptId, challengeStatus: 'success' });
  assert.equal((await attempt('victim@radar.test')).verdict, 'allow');
  const unknown = await h.request('PUT', '/radar/attempts/radar_attempt_nope', { body: { attempt_status: 'success' } });
  assert.equal(unknown.status, 404);
  h.assertConformant();
});
