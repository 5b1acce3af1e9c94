// Logout, switch organization, password reset, domain auto-join and super-admin access, in
// process against the emulator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { enterTenant as recordSuperAdminEntry } from '../../src/identity/super-admin.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { testEngines } from '../support/stores.ts';
import { startSignInWorld, type SignInWorld } from './harness.ts';
import { JSON_ACCEPT, auditTypes, callback, send, signIn, startLogin } from './in-process.ts';

const jsonPost = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...JSON_ACCEPT, ...extra },
});

for (const engine of testEngines())
  describe(`account routes (${engine.name})`, () => {
    let world: SignInWorld;
    before(async () => (world = await startSignInWorld({ openStore: engine.open })));
    after(() => world.close());

    test('logout ends our session and the WorkOS session, and is audited', async () => {
      const { cookies } = await signIn(world, 'grace@globex.test');
      const crossSite = await send(world, '/auth/logout', {
        ...jsonPost({}),
        cookies,
        headers: { ...JSON_ACCEPT, origin: 'https://evil.example' },
      });
      assert.equal(crossSite.res.status, 403);
      assert.equal(
        (await send(world, '/api/v1/me', { cookies })).res.status,
        200,
        'a refused cross-site logout leaves the session alone',
      );
      const out = await send(world, '/auth/logout', {
        method: 'POST',
        cookies,
        sameOrigin: true,
        headers: JSON_ACCEPT,
      });
      assert.equal(out.res.status, 200);
      const body = await out.json();
      assert.equal(body.signedOut, true);
      const logoutUrl = new URL(body.logoutUrl as string);
      assert.equal(logoutUrl.origin, world.emulator.url);
      const workosSessionId = logoutUrl.searchParams.get('session_id')!;
      assert.equal(world.emulator.world.sessions.get(workosSessionId)?.status, 'revoked');
      assert.equal((await send(world, '/api/v1/me', { cookies })).res.status, 401);
      assert.ok((await auditTypes(world, 'Globex')).includes('auth.signed_out'));
      const again = await send(world, '/auth/logout', { method: 'POST', cookies, sameOrigin: true });
      assert.equal(again.res.status, 303, 'signing out twice is not an error');
      assert.equal(again.res.headers.get('location'), '/auth/signed-out');
    });

    test('switch organization: a new session in the chosen organization, the old one ended', async () => {
      const { cookies } = await signIn(world, 'sam@globex.test', 'Globex');
      const post = (
        body: unknown,
        init: { cookies?: Record<string, string>; headers?: Record<string, string>; sameOrigin?: boolean } = {},
      ) =>
        send(world, '/auth/switch-organization', {
          ...jsonPost(body, init.headers),
          cookies: init.cookies ?? cookies,
          sameOrigin: init.sameOrigin ?? true,
        });
      assert.equal((await (await post('{oops')).json()).code, 'REQUEST_MALFORMED_JSON');
      assert.equal((await post({ organizationId: 'acme' })).res.status, 422);
      assert.equal((await post({ organizationId: world.org('Acme'), returnTo: '//evil.example' })).res.status, 422);
      assert.equal((await post({ organizationId: 'org_NOSUCHORG' })).res.status, 404);
      assert.equal(
        (await post({ organizationId: world.org('Initech') })).res.status,
        404,
        'not a member answers like unknown',
      );
      assert.equal((await post({ organizationId: world.org('Acme') }, { cookies: {} })).res.status, 401);
      assert.equal(
        (
          await post(
            { organizationId: world.org('Acme') },
            { sameOrigin: false, headers: { origin: 'https://evil.example' } },
          )
        ).res.status,
        403,
      );
      const switched = await post({ organizationId: world.org('Acme'), returnTo: '/admin' });
      assert.deepEqual(await switched.json(), {
        responseType: 'LOGIN_SUCCESSFUL',
        organizationId: world.org('Acme'),
        userId: world.user('sam@globex.test'),
        returnTo: '/admin',
      });
      const fresh = Object.fromEntries(Object.entries(switched.cookies).filter(([, v]) => v));
      const me = await send(world, '/api/v1/me', { cookies: fresh });
      assert.equal((await me.json()).organizationId, world.org('Acme'));
      assert.equal((await send(world, '/api/v1/me', { cookies })).res.status, 401, 'the Globex session ended');
      assert.ok((await auditTypes(world, 'Globex')).includes('auth.organization_switched'));
      assert.ok((await auditTypes(world, 'Acme')).includes('auth.organization_switched'));
    });

    test('password reset answers the same whether or not the email exists; confirmation takes the mailed token once', async () => {
      const request = (body: unknown, headers: Record<string, string> = {}) =>
        send(world, '/auth/password-reset', { ...jsonPost(body, headers) });
      const known = await request({ email: 'grace@globex.test' });
      const unknown = await request({ email: 'nobody@nowhere.test' });
      assert.equal(known.res.status, 202);
      assert.equal(unknown.res.status, 202);
      assert.deepEqual(await known.json(), await unknown.json());
      assert.equal((await request({ email: 'not an email' })).res.status, 422);
      assert.equal((await (await request('{"email":')).json()).code, 'REQUEST_MALFORMED_JSON');
      assert.equal(
        (
          await send(world, '/auth/password-reset', {
            method: 'POST',
            body: 'email=a@b.c',
            headers: { 'content-type': 'text/plain' },
          })
        ).res.status,
        415,
      );
      const form = await send(world, '/auth/password-reset', {
        method: 'POST',
        body: 'email=grace%40globex.test',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.match(await form.res.text(), /data-response-type="PASSWORD_RESET_SENT"/);

      const mail = world.emulator.world.outbox
        .filter((m) => m.kind === 'password_reset' && m.to === 'grace@globex.test')
        .at(-1)!;
      const token =
        (mail as { data?: { token?: string } }).data?.token ?? /token=([^\s&]+)/.exec(JSON.stringify(mail))![1]!;
      const confirm = (body: unknown) => send(world, '/auth/password-reset/confirm', jsonPost(body));
      assert.equal((await confirm({ token, newPassword: 'short' })).res.status, 422);
      const bad = await confirm({ token: 'not-the-token', newPassword: 'a-long-enough-password' });
      assert.equal(bad.res.status, 400);
      assert.equal((await bad.json()).code, 'PROVIDER_GRANT_INVALID');
      const ok = await confirm({ token, newPassword: 'grace-new-password-1' });
      assert.equal(ok.res.status, 200);
      assert.deepEqual(await ok.json(), { status: 'password_reset' });
      assert.equal(
        (await (await confirm({ token, newPassword: 'grace-new-password-2' })).json()).code,
        'PROVIDER_GRANT_INVALID',
        'the token works once',
      );
    });

    test('domain auto-join: a verified-domain user without a membership joins with the default role', async () => {
      const globex = await world.mirrorOrg('Globex');
      await asSystem(world.gatehouse.store.db, 'test: turn on auto-join', (tx) =>
        tx.updateTable('organizations').set({ domain_auto_join: true }).where('id', '=', globex).execute(),
      );
      const created = await fetch(`${world.emulator.url}/user_management/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
        body: JSON.stringify({ email: 'newbie@globex.test', first_name: 'New', email_verified: true }),
      }).then((r) => r.json() as Promise<{ id: string }>);
      const login = await startLogin(world);
      const minted = await fetch(`${world.emulator.url}/_emulator/authorization_codes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
        body: JSON.stringify({
          user_id: created.id,
          redirect_uri: login.redirectUri,
          state: login.state,
          code_challenge: login.codeChallenge,
        }),
      }).then((r) => r.json() as Promise<{ code: string }>);
      const sent = await callback(world, login, { code: minted.code, state: login.state });
      const body = await sent.json();
      assert.equal(body.responseType, 'LOGIN_SUCCESSFUL');
      assert.equal(body.organizationId, globex);
      const atProvider = [...world.emulator.world.memberships.values()].find(
        (m) => m.user_id === created.id && m.organization_id === globex,
      );
      assert.equal(atProvider?.status, 'active', 'the membership was created at WorkOS');
      const me = await send(world, '/api/v1/me', {
        cookies: Object.fromEntries(Object.entries(sent.cookies).filter(([, v]) => v)),
      });
      assert.equal((await me.json()).role, 'member');
      assert.ok((await auditTypes(world, 'Globex')).includes('membership.auto_joined'));
    });

    test('super-admin entries into another organization are audited there; others are told nothing', async () => {
      const acme = await world.mirrorOrg('Acme');
      const globex = await world.mirrorOrg('Globex');
      const base: AuthContext = {
        principal: { type: 'user', userId: world.user('grace@globex.test') },
        organizationId: globex,
        role: 'admin',
        permissions: [],
        authMethod: 'session',
        isSuperAdmin: false,
      };
      await assert.rejects(
        recordSuperAdminEntry(world.gatehouse.store.db, base, acme, 'test'),
        (e: unknown) => e instanceof AppError && e.code === 'RESOURCE_NOT_FOUND',
      );
      const superAdmin = { ...base, isSuperAdmin: true };
      await recordSuperAdminEntry(world.gatehouse.store.db, superAdmin, acme, 'GET /api/v1/organizations/x/members');
      assert.ok((await auditTypes(world, 'Acme')).includes('superadmin.entered'));
      await assert.rejects(
        recordSuperAdminEntry(world.gatehouse.store.db, superAdmin, 'org_NOSUCH', 'test'),
        (e: unknown) => e instanceof AppError && e.code === 'RESOURCE_NOT_FOUND',
      );
    });
  });
