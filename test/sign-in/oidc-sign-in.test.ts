// AUTH_PROVIDER=oidc end to end through the real composition root: two organizations, each with its
// own real `oidc-provider` connected through /api/v1 (discovery against it), home-realm discovery by
// email domain, the person mapped by issuer + subject, SSO enabled and enforced with the
// organization's own connection, and the email code beside it (LOCAL_EMAIL_CODE=on).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { addMember } from '../support/access-fixtures.ts';
import { createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { cookiesOf, form, json } from './local-world.ts';
import { openOidcWorld, SESSION, type OidcWorld } from './oidc-world.ts';

describe('per-organization OIDC sign-in (AUTH_PROVIDER=oidc)', () => {
  let world: OidcWorld;
  before(async () => {
    world = await openOidcWorld(openPgliteTestStore);
  });
  after(() => world?.close());

  const api = (cookie: string, path: string, init: RequestInit = {}) =>
    world.send(`/api/v1${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...init.headers },
      cookies: { [SESSION]: cookie },
    });

  it('signs each person into the organization whose connection authenticated them', async () => {
    const ada = await world.signInThrough('ada@a.test');
    const body = (await ada.json()) as { responseType: string; organizationId: string; userId: string };
    assert.equal(body.responseType, 'LOGIN_SUCCESSFUL');
    assert.equal(body.organizationId, world.a.organizationId);
    const cookie = cookiesOf(ada)[SESSION]!;
    const me = (await (await api(cookie, '/me')).json()) as { organizationId: string; authMethod?: string };
    assert.equal(me.organizationId, world.a.organizationId);
    const session = await inTenant(world.store.db, world.a.organizationId, (tx) =>
      tx.selectFrom('sessions').selectAll().where('user_id', '=', body.userId).executeTakeFirstOrThrow(),
    );
    assert.equal(session.auth_method, 'oidc');
    assert.equal(session.sso_connection_id, world.a.connectionId);
    assert.equal(session.sso_organization_id, world.a.organizationId);
    const audit = await inTenant(world.store.db, world.a.organizationId, (tx) =>
      tx.selectFrom('audit_events').select('type').where('organization_id', '=', world.a.organizationId).execute(),
    );
    assert.ok(audit.some((e) => e.type === 'membership.sso_provisioned'));
    assert.ok(audit.some((e) => e.type === 'sso.oidc_connection_created'));

    // The same subject again is the same user (issuer + subject), with no second membership.
    const again = (await (await world.signInThrough('ada@a.test')).json()) as { userId: string };
    assert.equal(again.userId, body.userId);
    const identities = await asSystem(world.store.db, 'test', (tx) =>
      tx.selectFrom('oidc_identities').selectAll().where('user_id', '=', body.userId).execute(),
    );
    assert.equal(identities.length, 1);

    const bob = (await (await world.signInThrough('bob@b.test')).json()) as { organizationId: string };
    assert.equal(bob.organizationId, world.b.organizationId);
  });

  it('links an invited member by email, and accepts the invitation', async () => {
    const carol = await createUser(world.store.db, 'carol@a.test');
    await addMember(world.store.db, world.a.organizationId, carol, 'member', 'pending');
    const res = (await (await world.signInThrough('carol@a.test')).json()) as { responseType: string; userId: string };
    assert.equal(res.responseType, 'LOGIN_SUCCESSFUL');
    assert.equal(res.userId, carol);
    const m = await inTenant(world.store.db, world.a.organizationId, (tx) =>
      tx.selectFrom('organization_memberships').select('status').where('user_id', '=', carol).executeTakeFirstOrThrow(),
    );
    assert.equal(m.status, 'active');
  });

  it('tests, protects and removes connections through the API', async () => {
    const base = `/organizations/${world.a.organizationId}/sso/oidc-connections`;
    const list = (await (await api(world.a.adminCookie, base)).json()) as {
      data: Array<{ id: string; domains: string[] }>;
      redirectUri: string;
    };
    assert.deepEqual(
      list.data.map((k) => [k.id, k.domains]),
      [[world.a.connectionId, ['a.test']]],
    );
    assert.equal(list.redirectUri, world.redirectUri);
    assert.doesNotMatch(JSON.stringify(list), /clientSecret|client_secret/);
    const tested = await api(world.a.adminCookie, `${base}/${world.a.connectionId}/test`, { method: 'POST' });
    assert.equal(tested.status, 200);
    assert.equal(((await tested.json()) as { issuer: string }).issuer, world.a.idp.issuer);
    // Another organization's connection id answers as unknown.
    const foreign = await api(world.a.adminCookie, `${base}/${world.b.connectionId}/test`, { method: 'POST' });
    assert.equal(foreign.status, 404);
    // The SSO page lists it with the redirect URI, and its "Test connection" runs discovery.
    const page = `/admin/orgs/${world.a.organizationId}/sso`;
    const html = await (await world.send(page, { cookies: { [SESSION]: world.a.adminCookie } })).text();
    assert.match(html, new RegExp(world.a.connectionId));
    assert.match(html, /id="oidc-redirect-uri">http:\/\/gatehouse\.test\/auth\/oidc\/callback</);
    const action = await world.send(`${page}/oidc_test`, {
      ...form({ connectionId: world.a.connectionId }),
      cookies: { [SESSION]: world.a.adminCookie },
    });
    assert.equal(action.status, 303, await action.clone().text());
    const after = await (
      await world.send(action.headers.get('location')!, { cookies: { [SESSION]: world.a.adminCookie } })
    ).text();
    assert.match(after, /Discovery succeeded/);
    // A domain another connection serves is refused.
    const taken = await world.addConnection(world.b, {
      issuer: world.b.idp.issuer,
      clientId: world.b.idp.clientId,
      clientSecret: world.b.idp.clientSecret,
      domains: ['a.test'],
    });
    assert.equal(taken.status, 409);
    assert.equal(((await taken.json()) as { code: string }).code, 'SSO_DOMAIN_TAKEN');
    // Discovery against nothing is refused before anything is stored.
    const nowhere = await world.addConnection(world.b, {
      issuer: 'http://127.0.0.1:9/',
      clientId: 'x',
      clientSecret: 'y',
      domains: ['nowhere.test'],
    });
    assert.equal(nowhere.status, 422);
    assert.equal(((await nowhere.json()) as { code: string }).code, 'SSO_DISCOVERY_FAILED');
  });

  it('enforces SSO through the organization’s own connection; email codes are then refused', async () => {
    const admin = world.a.adminCookie;
    const orgPath = `/organizations/${world.a.organizationId}/sso`;
    const enabled = await api(admin, orgPath, {
      method: 'PUT',
      body: JSON.stringify({ connectionId: world.a.connectionId, provider: 'GenericOIDC' }),
    });
    assert.equal(enabled.status, 200, await enabled.clone().text());
    // The connection SSO is enabled with cannot be removed.
    const removed = await api(world.a.adminCookie, `${orgPath}/oidc-connections/${world.a.connectionId}`, {
      method: 'DELETE',
    });
    assert.equal(removed.status, 409);
    assert.equal(((await removed.json()) as { code: string }).code, 'SSO_CONNECTION_IN_USE');
    const enforced = await api(admin, `${orgPath}/enforcement`, {
      method: 'PUT',
      body: JSON.stringify({ enforced: true, acknowledgeLockout: true }),
    });
    assert.equal(enforced.status, 200, await enforced.clone().text());
    const ada = (await (await world.signInThrough('ada@a.test')).json()) as { responseType: string };
    assert.equal(ada.responseType, 'LOGIN_SUCCESSFUL');
    const before = world.mail.length;
    await world.send('/auth/email', json({ email: 'admin@a.test' }));
    const { code } = await world.codeFor('admin@a.test', before);
    const byCode = await world.send('/auth/email/verify', json({ email: 'admin@a.test', code }));
    assert.equal(((await byCode.json()) as { responseType: string }).responseType, 'SSO_REQUIRED');
  });

  it('routes an address no connection serves to the email code', async () => {
    const res = await world.send('/auth/sso', json({ email: 'someone@nowhere.test' }));
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), '/auth/email');
    // /auth/login?organizationId= leads through /auth/sso straight to that organization's provider.
    const login = await world.send(`/auth/login?organizationId=${world.b.organizationId}`);
    assert.equal(login.status, 302);
    const start = await world.send(
      new URL(login.headers.get('location')!).pathname + new URL(login.headers.get('location')!).search,
      {
        cookies: cookiesOf(login),
      },
    );
    assert.equal(start.status, 302);
    assert.equal(new URL(start.headers.get('location')!).origin, world.b.idp.issuer);
    const page = await world.send('/auth/sso?email=someone%40nowhere.test');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-response-type="SSO_EMAIL_REQUEST"/);
  });
});
