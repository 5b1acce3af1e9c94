// One table per finding this part of the access layer closes, each printing `tried N accepted 0`:
//   1  SSO at another organization accepted as SSO (callback, switch, membership stamp)
//   2  bearer access tokens and API keys ignoring SSO enforcement
//   6  impersonation lost after sign-in (banner, audit, forbidden actions)
//   7  a credential of one kind accepted as another (cookie as Bearer, key or token as cookie)
//   access-token claims: aud, typ, iat, lifetime, and M2M recognised by its documented claims
// plus organization switching after a GATEHOUSE_SECRET rotation. Real parts: the composition root,
// the emulator over HTTP through the unmodified SDK, PGlite and PostgreSQL (TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { m2mToken, signInThroughEmulator } from '../support/emulator-sign-in.ts';
import { testEngines } from '../support/stores.ts';
import { send } from '../sign-in/in-process.ts';
import {
  accessTokenOf,
  apiCall,
  cookieName,
  SECRET,
  SEED,
  startAccessWorld,
  type AccessWorld,
  type OrgName,
} from './world.ts';

const ROTATED = 'access-test-secret-rotated-0123456789-abcdefghij';

async function cookieOf(world: AccessWorld, email: string, how: Parameters<AccessWorld['signIn']>[1]): Promise<string> {
  const sent = await world.signIn(email, how);
  const body = await sent.json();
  assert.equal(body.responseType, 'LOGIN_SUCCESSFUL', `${email} ${JSON.stringify(how)}: ${JSON.stringify(body)}`);
  return sent.cookies[cookieName]!;
}

function switchTo(world: AccessWorld, cookie: string, org: OrgName) {
  return send(world, '/auth/switch-organization', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    sameOrigin: true,
    cookies: { [cookieName]: cookie },
    body: JSON.stringify({ organizationId: world.org(org) }),
  });
}

async function lastSsoSignIn(world: AccessWorld, org: OrgName, email: string): Promise<Date | null> {
  const orgId = world.org(org);
  const row = await inTenant(world.gatehouse.store.db, orgId, (tx) =>
    tx
      .selectFrom('organization_memberships')
      .select('last_sso_sign_in_at')
      .where('organization_id', '=', orgId)
      .where('user_id', '=', world.user(email))
      .executeTakeFirst(),
  );
  return row?.last_sso_sign_in_at ?? null;
}

function tally(name: string, rows: { name: string; accepted: boolean }[]) {
  const accepted = rows.filter((r) => r.accepted);
  console.log(`${name}: tried ${rows.length} accepted ${accepted.length}`);
  assert.deepEqual(
    accepted.map((r) => r.name),
    [],
    `${name}: accepted`,
  );
}

for (const engine of testEngines()) {
  describe(`trust findings on ${engine.name}`, () => {
    let emulator: RunningEmulator;
    let world: AccessWorld;
    before(async () => {
      emulator = await startEmulator({ seed: SEED });
      world = await startAccessWorld({ openStore: engine.open, emulator });
    });
    after(async () => {
      await world?.close();
      await emulator?.close();
    });

    it('finding 1: SSO at another organization never counts as SSO here', async () => {
      await world.setSso('Beta', 'enabled');
      await world.setSso('Alpha', 'enforced');
      const rows: { name: string; accepted: boolean }[] = [];
      const switchFrom = async (name: string, cookie: string) => {
        const res = await switchTo(world, cookie, 'Alpha');
        const body = await res.json();
        rows.push({ name, accepted: body.responseType === 'LOGIN_SUCCESSFUL' });
        assert.equal(body.responseType, 'SSO_REQUIRED', name);
      };
      await switchFrom(
        "switch from SSO through Beta's connection",
        await cookieOf(world, 'ada@both.test', { org: 'Beta', via: 'sso' }),
      );
      await switchFrom(
        'switch from a password session in Beta',
        await cookieOf(world, 'ada@both.test', { org: 'Beta', via: 'password' }),
      );
      await switchFrom(
        'switch from SSO routed to Beta by the hosted page',
        await cookieOf(world, 'ada@both.test', { org: 'Beta', via: 'sso', hosted: true }),
      );
      await switchFrom(
        'switch from SSO that came back through Beta while Alpha was chosen',
        await cookieOf(world, 'ada@both.test', { org: 'Alpha', via: 'sso', through: 'Beta' }),
      );
      for (const [name, how] of [
        ['password into Alpha', { org: 'Alpha', via: 'password' }],
        ['SSO at Beta answering for Alpha', { org: 'Alpha', via: 'sso', through: 'Beta' }],
      ] as const) {
        const body = await (await world.signIn('bea@both.test', how)).json();
        rows.push({
          name,
          accepted: body.responseType === 'LOGIN_SUCCESSFUL' && body.organizationId === world.org('Alpha'),
        });
      }
      assert.equal(
        await lastSsoSignIn(world, 'Alpha', 'ada@both.test'),
        null,
        'the lockout preview must not call a Beta-SSO member safe',
      );
      tally('finding 1', rows);
      // Control: SSO through Alpha's own connection works, is stamped, and survives a round trip through Beta.
      const own = await cookieOf(world, 'ada@both.test', { org: 'Alpha', via: 'sso' });
      assert.ok(await lastSsoSignIn(world, 'Alpha', 'ada@both.test'));
      const inBeta = await switchTo(world, own, 'Beta');
      assert.equal((await inBeta.json()).responseType, 'LOGIN_SUCCESSFUL');
      const back = await switchTo(world, inBeta.cookies[cookieName]!, 'Alpha');
      assert.equal(
        (await back.json()).responseType,
        'LOGIN_SUCCESSFUL',
        "the sign-in through Alpha's connection travels with the session",
      );
      await world.setSso('Alpha', 'off');
      await world.setSso('Beta', 'off');
    });

    it('finding 2: bearer tokens and API keys obey enforcement through the connection', async () => {
      await world.setSso('Beta', 'enabled');
      await world.setSso('Alpha', 'enabled');
      const password = await cookieOf(world, 'bea@both.test', { org: 'Alpha', via: 'password' });
      const viaBeta = await switchTo(
        world,
        await cookieOf(world, 'ada@both.test', { org: 'Beta', via: 'sso' }),
        'Alpha',
      );
      const betaInAlpha = viaBeta.cookies[cookieName]!;
      const own = await cookieOf(world, 'ada@both.test', { org: 'Alpha', via: 'sso' });
      const keyFrom = async (cookie: string) => {
        const res = await apiCall(
          world,
          `/api/v1/organizations/${world.org('Alpha')}/api-keys`,
          { cookie },
          { method: 'POST', body: { name: 'ci', role: 'member' } },
        );
        assert.equal(res.res.status, 201);
        return ((await res.json()) as { secret: string }).secret;
      };
      const credentials: [string, { cookie?: string; bearer?: string }, string][] = [
        [
          'access token of a password session',
          { bearer: (await accessTokenOf(world, password))! },
          'AUTH_SSO_REQUIRED',
        ],
        [
          'access token of a session signed in through Beta',
          { bearer: (await accessTokenOf(world, betaInAlpha))! },
          'AUTH_SSO_REQUIRED',
        ],
        [
          'access token minted outside Gatehouse',
          { bearer: (await signInThroughEmulator(world.emulator, 'bea@both.test', 'Alpha')).accessToken },
          'AUTH_SSO_REQUIRED',
        ],
        ['API key minted from a password session', { bearer: await keyFrom(password) }, 'AUTH_SSO_REQUIRED'],
        ['API key minted from a Beta-SSO session', { bearer: await keyFrom(betaInAlpha) }, 'AUTH_SSO_REQUIRED'],
        ['password session cookie', { cookie: password }, 'SESSION_SSO_REQUIRED'],
        ['Beta-SSO session cookie', { cookie: betaInAlpha }, 'SESSION_SSO_REQUIRED'],
      ];
      const ownToken = (await accessTokenOf(world, own))!;
      const ownKey = await keyFrom(own);
      await world.setSso('Alpha', 'enforced');
      const rows: { name: string; accepted: boolean }[] = [];
      for (const [name, credential, code] of credentials) {
        const res = await apiCall(world, `/api/v1/organizations/${world.org('Alpha')}/members`, credential);
        rows.push({ name, accepted: res.res.status < 400 });
        assert.equal(res.res.status, 401, name);
        assert.equal((await res.json()).code, code, name);
      }
      tally('finding 2', rows);
      for (const [name, credential] of [
        ['own SSO token', { bearer: ownToken }],
        ['key from own SSO', { bearer: ownKey }],
        ['own SSO cookie', { cookie: own }],
      ] as const) {
        assert.equal(
          (await apiCall(world, `/api/v1/organizations/${world.org('Alpha')}/members`, credential)).res.status,
          200,
          name,
        );
      }
      // Suspended, not revoked: the password-minted key works again once enforcement is off.
      await world.setSso('Alpha', 'enabled');
      assert.equal(
        (await apiCall(world, `/api/v1/organizations/${world.org('Alpha')}/members`, credentials[3]![1])).res.status,
        200,
      );
      await world.setSso('Alpha', 'off');
      await world.setSso('Beta', 'off');
    });

    it('finding 6: an impersonated session shows it, is audited as such, and cannot change keys, SSO or roles', async () => {
      const cookie = await cookieOf(world, 'ada@both.test', {
        org: 'Alpha',
        via: 'password',
        impersonator: 'support@workos.test',
      });
      const alpha = world.org('Alpha');
      const page = await send(world, `/admin/orgs/${alpha}/sso`, { cookies: { [cookieName]: cookie } });
      const html = await page.res.text();
      assert.match(html, /data-impersonator/);
      assert.match(html, /support@workos\.test/);
      const membership = await inTenant(world.gatehouse.store.db, alpha, (tx) =>
        tx
          .selectFrom('organization_memberships')
          .select('id')
          .where('organization_id', '=', alpha)
          .where('user_id', '=', world.user('bea@both.test'))
          .executeTakeFirst(),
      );
      const token = (await accessTokenOf(world, cookie))!;
      const api = (method: string, path: string, body?: unknown) =>
        [method, `/api/v1/organizations/${alpha}${path}`, body] as const;
      const attempts = [
        api('POST', '/api-keys', { name: 'outlives', role: 'member' }),
        api('PUT', '/sso', { connectionId: world.connection('Alpha') }),
        api('PUT', '/sso/enforcement', { enforced: true, acknowledgeLockout: true }),
        api('DELETE', '/sso'),
        api('POST', '/admin-portal-links', { intent: 'sso' }),
        api('POST', '/roles', { slug: 'auditor', name: 'Auditor', permissions: ['audit:read'] }),
        api('PATCH', `/members/${membership?.id ?? 'om_unknown'}`, { role: 'admin' }),
      ];
      const rows: { name: string; accepted: boolean }[] = [];
      for (const credential of [{ cookie }, { bearer: token }]) {
        for (const [method, path, body] of attempts) {
          const res = await apiCall(world, path, credential, { method, ...(body ? { body } : {}) });
          const name = `${credential.cookie ? 'cookie' : 'token'} ${method} ${path}`;
          rows.push({ name, accepted: res.res.status < 400 });
          assert.equal(res.res.status, 403, name);
          assert.equal((await res.json()).code, 'AUTH_IMPERSONATION_FORBIDDEN', name);
        }
      }
      for (const action of [
        'api-keys/create',
        'sso/enable',
        'sso/enforce',
        'sso/disable',
        'roles/create',
        'members/role',
      ]) {
        const res = await send(world, `/admin/orgs/${alpha}/${action}`, {
          method: 'POST',
          sameOrigin: true,
          cookies: { [cookieName]: cookie },
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            name: 'k',
            role: 'admin',
            connectionId: world.connection('Alpha'),
            slug: 'x',
            membershipId: membership?.id ?? '',
          }).toString(),
        });
        rows.push({ name: `page ${action}`, accepted: res.res.status < 400 });
        assert.equal(res.res.status, 403, action);
      }
      tally('finding 6', rows);
      const entries = await inTenant(world.gatehouse.store.db, alpha, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['type', 'data'])
          .where('organization_id', '=', alpha)
          .where('actor_id', '=', world.user('ada@both.test'))
          .orderBy('seq', 'desc')
          .limit(5)
          .execute(),
      );
      const created = entries.find((e) => e.type === 'session.created');
      assert.equal((created?.data as { impersonator?: string } | undefined)?.impersonator, 'support@workos.test');
    });

    it('finding 7: a credential only works as its own kind', async () => {
      const cookie = await cookieOf(world, 'ada@both.test', { org: 'Alpha', via: 'password' });
      const alpha = world.org('Alpha');
      const keyRes = await apiCall(
        world,
        `/api/v1/organizations/${alpha}/api-keys`,
        { cookie },
        { method: 'POST', body: { name: 'k7', role: 'member' } },
      );
      const key = ((await keyRes.json()) as { secret: string }).secret;
      const token = (await accessTokenOf(world, cookie))!;
      const app = await fetch(`${world.emulator.url}/_emulator/m2m_applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
        body: JSON.stringify({ name: 'reporting', organization_id: alpha, scopes: ['members:read'] }),
      });
      const { client_id, client_secret } = (await app.json()) as { client_id: string; client_secret: string };
      const m2m = await m2mToken(world.emulator, client_id, client_secret);
      const members = `/api/v1/organizations/${alpha}/members`;
      // Each credential first used as its own kind (so the cache holds it), then as the wrong one.
      for (const credential of [{ cookie }, { bearer: key }, { bearer: token }, { bearer: m2m }]) {
        assert.equal(
          (await apiCall(world, members, credential)).res.status,
          200,
          JSON.stringify(Object.keys(credential)),
        );
      }
      const wrong: [string, { cookie?: string; bearer?: string }][] = [
        ['session cookie value as Bearer', { bearer: cookie }],
        ['API key as the session cookie', { cookie: key }],
        ['access token as the session cookie', { cookie: token }],
        ['M2M token as the session cookie', { cookie: m2m }],
      ];
      const rows: { name: string; accepted: boolean }[] = [];
      for (const [name, credential] of wrong) {
        const res = await apiCall(world, members, credential);
        rows.push({ name, accepted: res.res.status < 400 });
        assert.equal(res.res.status, 401, name);
      }
      tally('finding 7', rows);
    });

    it('access-token claims: aud, typ, iat and lifetime checked; M2M recognised by its documented claims', async () => {
      const alpha = world.org('Alpha');
      const real = (await signInThroughEmulator(world.emulator, 'ada@both.test', 'Alpha')).accessToken;
      const claims = decodeJwt(real);
      const key = world.emulator.context.keys.current();
      const now = Math.floor(Date.now() / 1000);
      const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header })
          .sign(key.privateKey);
      const base = { ...claims, iat: now, exp: now + 300 };
      const m2mBase = {
        iss: claims.iss,
        sub: 'client_x',
        client_id: 'client_x',
        aud: world.emulator.clientId,
        org_id: alpha,
        scope: 'members:read',
        iat: now,
        exp: now + 300,
      };
      const strip = <T extends Record<string, unknown>>(o: T, k: string) =>
        Object.fromEntries(Object.entries(o).filter(([n]) => n !== k));
      const forged: [string, string][] = [
        ['user token for another client (aud)', await sign({ ...base, aud: 'client_other' })],
        ['user token of another application (client_id)', await sign({ ...base, client_id: 'client_other' })],
        ['user token whose sub is not a user', await sign({ ...base, sub: 'client_x' })],
        ['ID token type', await sign(base, { typ: 'id_token+jwt' })],
        ['logout token type', await sign(base, { typ: 'logout+jwt' })],
        ['no iat', await sign(strip(base, 'iat'))],
        ['iat an hour ahead', await sign({ ...base, iat: now + 3600, exp: now + 3900 })],
        ['iat two days old', await sign({ ...base, iat: now - 2 * 86400, exp: now + 300 })],
        ['a 30-day lifetime', await sign({ ...base, exp: now + 30 * 86400 })],
        ['no sid and no M2M claims (was an M2M principal)', await sign(strip(strip(base, 'sid'), 'act'))],
        ['M2M without aud', await sign(strip(m2mBase, 'aud'))],
        ['M2M for another environment', await sign({ ...m2mBase, aud: 'client_other' })],
        ['M2M whose sub is not its client_id', await sign({ ...m2mBase, sub: 'client_y' })],
        ['M2M without client_id', await sign(strip(m2mBase, 'client_id'))],
        ['M2M carrying act', await sign({ ...m2mBase, act: { sub: 'admin@evil.test' } })],
      ];
      const rows: { name: string; accepted: boolean }[] = [];
      for (const [name, token] of forged) {
        const res = await apiCall(world, `/api/v1/organizations/${alpha}/members`, { bearer: token });
        rows.push({ name, accepted: res.res.status < 400 });
        assert.equal(res.res.status, 401, name);
        // Too old by iat is an expiry (jose's maxTokenAge); every other one is not a valid token.
        assert.equal(
          (await res.json()).code,
          name === 'iat two days old' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_TOKEN_INVALID',
          name,
        );
      }
      tally('access-token claims', rows);
      assert.equal(decodeProtectedHeader(real).typ, 'JWT');
      assert.equal(
        (await apiCall(world, `/api/v1/organizations/${alpha}/members`, { bearer: real })).res.status,
        200,
        'a real AuthKit token',
      );
      assert.equal(
        (await apiCall(world, `/api/v1/organizations/${alpha}/members`, { bearer: await sign(m2mBase) })).res.status,
        200,
        'a well-formed M2M token',
      );
    });

    it('switches organization after a GATEHOUSE_SECRET rotation', async () => {
      const cookie = await cookieOf(world, 'ada@both.test', { org: 'Alpha', via: 'password' });
      const rotated = await startAccessWorld({
        emulator,
        openStore: async () => world.gatehouse.store,
        env: { GATEHOUSE_SECRET: ROTATED, GATEHOUSE_PREVIOUS_SECRETS: SECRET },
      });
      const res = await switchTo(rotated, cookie, 'Beta');
      assert.equal(res.res.status, 200);
      assert.equal((await res.json()).responseType, 'LOGIN_SUCCESSFUL');
      await rotated.gatehouse.access.close();
      rotated.gatehouse.directorySync.close();
    });
  });
}
