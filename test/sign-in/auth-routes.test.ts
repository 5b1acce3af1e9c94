// /auth/login, /auth/callback and /auth/organization-selection in process: every bad input, and
// each response type's JSON form, against the emulator through the official SDK.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSealer } from '../../src/identity/login-state.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { testEngines } from '../support/stores.ts';
import { SECRET, startSignInWorld, type SignInWorld } from './harness.ts';
import { JSON_ACCEPT, auditTypes, callback, mintCode, send, startLogin } from './in-process.ts';

describe('/auth/login', () => {
  let world: SignInWorld;
  before(async () => (world = await startSignInWorld()));
  after(() => world.close());

  test('redirects to AuthKit with state, PKCE S256 and our callback; the state cookie is sealed and HttpOnly', async () => {
    const { res, cookies } = await send(
      world,
      '/auth/login?returnTo=/admin&loginHint=grace@globex.test&screenHint=sign-in',
    );
    assert.equal(res.status, 302);
    const url = new URL(res.headers.get('location')!);
    assert.equal(url.origin, world.emulator.url);
    assert.equal(url.pathname, '/user_management/authorize');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(url.searchParams.get('redirect_uri'), `${world.url}/auth/callback`);
    assert.equal(url.searchParams.get('login_hint'), 'grace@globex.test');
    const state = url.searchParams.get('state')!;
    assert.ok(state.length >= 43);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('gatehouse_login='))!;
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.ok(!cookies.gatehouse_login!.includes(state), 'the cookie does not carry the state in the clear');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('refuses returnTo that is not a same-origin path', async () => {
    for (const returnTo of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      'relative/path',
      '/a\r\nx: y',
    ]) {
      const { res, json } = await send(world, `/auth/login?${new URLSearchParams({ returnTo })}`);
      assert.equal(res.status, 422, returnTo);
      const body = await json();
      assert.equal(body.code, 'REQUEST_INVALID');
      assert.equal(res.headers.get('location'), null);
    }
  });

  test('refuses malformed hints and unknown organizations', async () => {
    const cases: Array<[string, number, string]> = [
      ['organizationId=acme', 422, 'REQUEST_INVALID'],
      ['organizationId=org_NOSUCHORGANIZATION', 404, 'RESOURCE_NOT_FOUND'],
      ['loginHint=not-an-email', 422, 'REQUEST_INVALID'],
      ['screenHint=admin', 422, 'REQUEST_INVALID'],
    ];
    for (const [query, status, code] of cases) {
      const { res, json } = await send(world, `/auth/login?${query}`);
      assert.equal(res.status, status, query);
      assert.equal((await json()).code, code, query);
    }
  });

  test('an organization with SSO configured signs in through its connection', async () => {
    const initech = await world.mirrorOrg('Initech');
    const connectionId = world.emulator.seed!.connections.Initech![0]!;
    await world.gatehouse.identity!.sso.enableSso({ type: 'system', id: null }, initech, { connectionId });
    const { res } = await send(world, `/auth/login?organizationId=${initech}`, { headers: JSON_ACCEPT });
    const { authorizationUrl } = (await res.json()) as { authorizationUrl: string };
    assert.equal(new URL(authorizationUrl).searchParams.get('connection_id'), connectionId);
  });
});

for (const engine of testEngines())
  describe(`/auth/callback (${engine.name})`, () => {
    let world: SignInWorld;
    // One SDK retry: a single 503 is still absorbed, and an outage outlasts the retries after one
    // backoff (about a second) instead of three (about five seconds per failed call).
    before(async () => (world = await startSignInWorld({ openStore: engine.open, env: { WORKOS_MAX_RETRIES: '1' } })));
    after(() => world.close());

    test('LOGIN_SUCCESSFUL: one session cookie, the mirror and the audit chain', async () => {
      const login = await startLogin(world, '?returnTo=/api/v1/me');
      const code = await mintCode(world, 'grace@globex.test', login);
      const sent = await callback(world, login, { code, state: login.state });
      assert.equal(sent.res.status, 200);
      assert.deepEqual(await sent.json(), {
        responseType: 'LOGIN_SUCCESSFUL',
        organizationId: world.org('Globex'),
        userId: world.user('grace@globex.test'),
        returnTo: '/api/v1/me',
      });
      assert.equal(sent.cookies.gatehouse_login, '', 'the login state is cleared');
      const session = Object.entries(sent.cookies).find(([k, v]) => k !== 'gatehouse_login' && v);
      assert.ok(session && session[1].length < 200, 'an opaque session handle under 200 bytes');
      const me = await send(world, '/api/v1/me', { cookies: { [session[0]]: session[1] } });
      assert.equal(me.res.status, 200);
      assert.equal((await me.json()).organizationId, world.org('Globex'));
      const orgId = world.org('Globex');
      const membership = await inTenant(world.gatehouse.store.db, orgId, (tx) =>
        tx
          .selectFrom('organization_memberships')
          .select(['role_slug', 'status', 'last_sign_in_at'])
          .where('organization_id', '=', orgId)
          .where('user_id', '=', world.user('grace@globex.test'))
          .executeTakeFirstOrThrow(),
      );
      assert.equal(membership.role_slug, 'admin');
      assert.ok(membership.last_sign_in_at);
      assert.ok((await auditTypes(world, 'Globex')).includes('auth.signed_in'));
    });

    test('concurrent first sign-ins of one person all succeed (the mirror rows are created once)', async () => {
      const logins = await Promise.all([0, 1, 2, 3, 4].map(() => startLogin(world)));
      // Pat and Initech are new to Gatehouse: organization, user and membership are all first seen here.
      const codes = await Promise.all(logins.map((l) => mintCode(world, 'pat@contractors.test', l)));
      const results = await Promise.all(
        logins.map((l, i) => callback(world, l, { code: codes[i]!, state: l.state }).then((s) => s.json())),
      );
      assert.deepEqual(
        results.map((r) => r.responseType),
        Array(5).fill('LOGIN_SUCCESSFUL'),
      );
      const initech = world.org('Initech');
      const rows = await inTenant(world.gatehouse.store.db, initech, (tx) =>
        tx
          .selectFrom('organization_memberships')
          .select('id')
          .where('organization_id', '=', initech)
          .where('user_id', '=', world.user('pat@contractors.test'))
          .execute(),
      );
      assert.equal(rows.length, 1);
    });

    test('LINK_INVALID for a missing, tampered or foreign state, a missing, bad or reused code, or a provider error', async () => {
      const a = await startLogin(world);
      const b = await startLogin(world);
      const codeA = await mintCode(world, 'grace@globex.test', a);
      const expectInvalid = async (
        login: { cookies: Record<string, string> },
        params: Record<string, string>,
        reason: string,
      ) => {
        const sent = await callback(world, login, params);
        assert.equal(sent.res.status, 400, reason);
        assert.deepEqual(await sent.json(), { responseType: 'LINK_INVALID', reason });
      };
      await expectInvalid({ cookies: {} }, { code: codeA, state: a.state }, 'state_missing');
      await expectInvalid(
        { cookies: { gatehouse_login: `${a.cookies.gatehouse_login}x` } },
        { code: codeA, state: a.state },
        'state_invalid',
      );
      await expectInvalid(b, { code: codeA, state: a.state }, 'state_mismatch'); // A's code and state in B's browser
      await expectInvalid(a, { code: codeA }, 'state_mismatch');
      await expectInvalid(a, { state: a.state }, 'code_missing');
      await expectInvalid(
        a,
        { state: a.state, error: 'access_denied', error_description: 'cancelled' },
        'access_denied',
      );
      await expectInvalid(a, { code: 'not-a-real-code', state: a.state }, 'code_invalid');
      // A's code redeemed once in its own browser, then replayed with a fresh login's state.
      const ok = await callback(world, a, { code: codeA, state: a.state });
      assert.equal((await ok.json()).responseType, 'LOGIN_SUCCESSFUL');
      const c = await startLogin(world);
      await expectInvalid(c, { code: codeA, state: c.state }, 'code_invalid');
      // The HTML form is a page of its own.
      const page = await callback(world, { cookies: {} }, { code: 'x', state: 'y' }, false);
      assert.match(page.res.headers.get('content-type')!, /text\/html/);
      assert.match(await page.res.text(), /data-response-type="LINK_INVALID"/);
    });

    test('LINK_EXPIRED for a login state past its life or a code past its life', async () => {
      const past = createSealer([SECRET], () => Date.now() - 11 * 60_000).seal(
        'login',
        { state: 's', codeVerifier: 'v', returnTo: '/' },
        10 * 60_000,
      );
      const stale = await callback(world, { cookies: { gatehouse_login: past } }, { code: 'x', state: 's' });
      assert.deepEqual(await stale.json(), { responseType: 'LINK_EXPIRED', reason: 'state_expired' });
      const login = await startLogin(world);
      const code = await mintCode(world, 'grace@globex.test', login);
      world.emulator.world.clock.advance(11 * 60_000);
      try {
        const sent = await callback(world, login, { code, state: login.state });
        assert.deepEqual(await sent.json(), { responseType: 'LINK_EXPIRED', reason: 'code_expired' });
      } finally {
        world.emulator.world.clock.advance(-11 * 60_000);
      }
    });

    test('a provider outage at the callback is retryable: 503 problem for JSON, a try-again page for browsers, then a fresh attempt signs in', async () => {
      const fault = (count: number) =>
        fetch(`${world.emulator.url}/_emulator/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
          body: JSON.stringify({ method: 'POST', path: '/user_management/authenticate', status: 503, count }),
        });
      const clearFaults = () =>
        fetch(`${world.emulator.url}/_emulator/faults`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${world.emulator.apiKey}` },
        });
      // A single 503 is absorbed: the SDK retries it and the sign-in goes through.
      const blip = await startLogin(world);
      const blipCode = await mintCode(world, 'grace@globex.test', blip);
      await fault(1);
      assert.equal(
        (await (await callback(world, blip, { code: blipCode, state: blip.state })).json()).responseType,
        'LOGIN_SUCCESSFUL',
      );
      // An outage that outlasts the SDK's retries reaches the user as a retryable failure.
      const login = await startLogin(world);
      const code = await mintCode(world, 'grace@globex.test', login);
      await fault(20);
      const json = await callback(world, login, { code, state: login.state });
      assert.equal(json.res.status, 503);
      const problem = await json.json();
      assert.equal(problem.code, 'PROVIDER_UNAVAILABLE');
      assert.doesNotMatch(JSON.stringify(problem), new RegExp(code), 'the code is not echoed');
      const again = await startLogin(world);
      const code2 = await mintCode(world, 'grace@globex.test', again);
      const page = await callback(world, again, { code: code2, state: again.state }, false);
      assert.equal(page.res.status, 503);
      assert.match(await page.res.text(), /data-response-type="PROVIDER_UNAVAILABLE"/);
      await clearFaults();
      // The login state was spent on purpose (a state is single-use whatever happens); "Try again"
      // starts a new sign-in, which works once the provider answers.
      const retry = await startLogin(world);
      const ok = await callback(world, retry, {
        code: await mintCode(world, 'grace@globex.test', retry),
        state: retry.state,
      });
      assert.equal((await ok.json()).responseType, 'LOGIN_SUCCESSFUL');
    });

    test('MEMBERSHIP_DEACTIVATED for a user whose only membership is inactive', async () => {
      const login = await startLogin(world);
      const sent = await callback(world, login, {
        code: await mintCode(world, 'dana@globex.test', login),
        state: login.state,
      });
      assert.equal(sent.res.status, 403);
      assert.deepEqual(await sent.json(), {
        responseType: 'MEMBERSHIP_DEACTIVATED',
        organizationId: world.org('Globex'),
        reason: 'membership_inactive',
      });
      assert.ok(
        (await auditTypes(world, 'Globex')).includes('auth.membership_deactivated'),
        "the refusal is in the organization's chain",
      );
    });

    test('ORGANIZATION_SELECTION_REQUIRED, then the picker answer with every bad input', async () => {
      const login = await startLogin(world, '?returnTo=/welcome');
      const sent = await callback(world, login, {
        code: await mintCode(world, 'sam@globex.test', login),
        state: login.state,
      });
      const body = await sent.json();
      assert.equal(body.responseType, 'ORGANIZATION_SELECTION_REQUIRED');
      assert.deepEqual(
        (body.organizations as Array<{ id: string }>).map((o) => o.id).sort(),
        [world.org('Acme'), world.org('Globex')].sort(),
      );
      assert.ok(!JSON.stringify(body).includes('pending'), 'the pending token stays in the sealed cookie');
      const pending = { gatehouse_pending: sent.cookies.gatehouse_pending! };
      assert.ok(pending.gatehouse_pending);
      const select = (init: Parameters<typeof send>[2]) =>
        send(world, '/auth/organization-selection', { method: 'POST', ...init });
      const post = (body: string, cookies: Record<string, string> = pending, headers: Record<string, string> = {}) =>
        select({
          body,
          cookies,
          sameOrigin: true,
          headers: { 'content-type': 'application/json', ...JSON_ACCEPT, ...headers },
        });
      assert.equal((await (await post('{not json')).json()).code, 'REQUEST_MALFORMED_JSON');
      assert.equal((await post('{}')).res.status, 422);
      assert.equal((await post(JSON.stringify({ organizationId: 'acme' }))).res.status, 422);
      const unknown = await post(JSON.stringify({ organizationId: 'org_NOTOFFERED' }));
      assert.equal(unknown.res.status, 404);
      assert.equal((await unknown.json()).code, 'RESOURCE_NOT_FOUND');
      assert.equal(
        (
          await select({
            body: 'organizationId=x',
            cookies: pending,
            sameOrigin: true,
            headers: { 'content-type': 'text/plain' },
          })
        ).res.status,
        415,
      );
      const crossSite = await select({
        body: JSON.stringify({ organizationId: world.org('Acme') }),
        cookies: pending,
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      });
      assert.equal(crossSite.res.status, 403);
      assert.equal((await crossSite.json()).code, 'AUTH_CSRF_REJECTED');
      const noCookie = await post(JSON.stringify({ organizationId: world.org('Acme') }), {});
      assert.deepEqual(await noCookie.json(), { responseType: 'LINK_INVALID', reason: 'selection_missing' });
      // The real choice, as the picker's form posts it.
      const chosen = await select({
        body: new URLSearchParams({ organizationId: world.org('Acme') }).toString(),
        cookies: pending,
        sameOrigin: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...JSON_ACCEPT },
      });
      assert.deepEqual(await chosen.json(), {
        responseType: 'LOGIN_SUCCESSFUL',
        organizationId: world.org('Acme'),
        userId: world.user('sam@globex.test'),
        returnTo: '/welcome',
      });
      assert.equal(chosen.cookies.gatehouse_pending, '', 'the pending choice is spent');
    });

    test('SSO_REQUIRED for a password sign-in into an organization that enforces SSO, audited there', async () => {
      const initech = await world.mirrorOrg('Initech');
      const { sso } = world.gatehouse.identity!;
      const actor = { type: 'system' as const, id: null };
      await sso.enableSso(actor, initech, { connectionId: world.emulator.seed!.connections.Initech![0]! });
      await sso.setSsoEnforced(actor, initech, true);
      const login = await startLogin(world);
      const sent = await callback(world, login, {
        code: await mintCode(world, 'pat@contractors.test', login),
        state: login.state,
      });
      const body = await sent.json();
      assert.equal(body.responseType, 'SSO_REQUIRED');
      assert.equal(body.organizationId, initech);
      assert.equal(body.loginUrl, `/auth/login?organizationId=${initech}`);
      assert.ok(
        Object.entries(sent.cookies).every(([k, v]) => k === 'gatehouse_login' || !v),
        'no session',
      );
      assert.ok((await auditTypes(world, 'Initech')).includes('auth.sso_required'));
    });
  });
