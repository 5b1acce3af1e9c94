// SSO profiles and users, linked as WorkOS documents it: a profile's email must be in one of the
// organization's verified domains (else `profile_not_allowed_outside_organization`, unless the
// organization allows profiles outside it), and a profile outside them links to a user only once
// the inbox is proven by an emailed code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let clientId: string;
let acmeId: string;
const redirectUri = 'http://127.0.0.1:9/callback';

before(async () => {
  h = await openHarness();
  clientId = h.emulator.clientId;
  const acme = await h.workos.organizations.createOrganization({
    name: 'Acme',
    domainData: [{ domain: 'acme.test', state: 'verified' as never }],
  });
  acmeId = acme.id;
  await h.control('POST', '/connections', { organization_id: acmeId, connection_type: 'OktaSAML', state: 'active' });
});
after(() => h.close());

async function ssoRedirect(email: string): Promise<URL> {
  const url = h.workos.userManagement.getAuthorizationUrl({
    clientId,
    organizationId: acmeId,
    redirectUri,
    loginHint: email,
    prompt: 'none',
  });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location')!);
}

test('a profile in a verified domain signs in and links the existing user of that email', async () => {
  const existing = await h.workos.userManagement.createUser({ email: 'ana@acme.test', password: 'a long password' });
  assert.equal(existing.emailVerified, false);
  const back = await ssoRedirect('ana@acme.test');
  const auth = await h.workos.userManagement.authenticateWithCode({ clientId, code: back.searchParams.get('code')! });
  assert.equal(auth.user.id, existing.id, 'linked, not duplicated');
  assert.equal(auth.user.emailVerified, true, 'the verified domain vouches for the inbox');
  assert.equal(auth.organizationId, acmeId);
  h.assertConformant();
});

test('a profile outside the verified domains goes back to the app as profile_not_allowed_outside_organization', async () => {
  const back = await ssoRedirect('bill@elsewhere.test');
  assert.equal(back.searchParams.get('error'), 'profile_not_allowed_outside_organization');
  assert.equal(back.searchParams.get('code'), null);
  assert.equal(
    (await h.workos.userManagement.listUsers({ email: 'bill@elsewhere.test' })).data.length,
    0,
    'no user created',
  );
  const sso = h.workos.sso.getAuthorizationUrl({
    clientId,
    organization: acmeId,
    redirectUri,
    loginHint: 'bill@elsewhere.test',
  } as never);
  const ssoBack = new URL((await fetch(`${sso}&prompt=none`, { redirect: 'manual' })).headers.get('location')!);
  assert.equal(ssoBack.searchParams.get('error'), 'profile_not_allowed_outside_organization');
  h.assertConformant();
});

test('when the organization allows outside profiles, linking waits for the emailed code', async () => {
  // The SDK does not send this field; the API takes it.
  const updated = await h.request('PUT', `/organizations/${acmeId}`, {
    body: { allow_profiles_outside_organization: true },
  });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  const victim = await h.workos.userManagement.createUser({
    email: 'bill@elsewhere.test',
    password: 'a long password',
    emailVerified: true,
  });
  const back = await ssoRedirect('bill@elsewhere.test');
  const error = await h.workos.userManagement
    .authenticateWithCode({ clientId, code: back.searchParams.get('code')! })
    .then(
      () => assert.fail('an unproven profile must not sign in as the existing user'),
      (e: any) => e,
    );
  assert.equal(error.status, 403);
  assert.equal(error.rawData.code, 'email_verification_required');
  const code = h.emulator.world.outbox.findLast(
    (m) => m.to === 'bill@elsewhere.test' && m.kind === 'email_verification',
  )!.data.code!;
  const auth = await h.workos.userManagement.authenticateWithEmailVerification({
    clientId,
    code,
    pendingAuthenticationToken: error.rawData.pending_authentication_token,
  });
  assert.equal(auth.user.id, victim.id, 'linked once the inbox is proven');
  assert.equal(auth.organizationId, acmeId);
  h.assertConformant();
});
