// Every credential kind against a tiny app with requireAuth, on both engines, with real tokens from
// the emulator over HTTP. Valid credentials of every kind resolve to the same AuthContext shape;
// a table of forged, expired, wrong-algorithm, wrong-key, revoked, expired-key, deactivated and
// cross-organization credentials is refused, and the test prints tried/accepted counts.
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT, decodeProtectedHeader, decodeJwt, exportJWK } from 'jose';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { AuthContext } from '../core/auth-context.ts';
import { createErrorHandler } from '../http/error-handler.ts';
import { authOf, provideAccess, requireAuth, requireOrganization } from '../http/middleware/require-auth.ts';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { inTenant } from '../store/tenant.ts';
import { createSessionService } from '../sessions/session-service.ts';
import { testEngines } from '../../test/support/stores.ts';
import { setMembershipStatus, TEST_SECRET } from '../../test/support/access-fixtures.ts';
import {
  m2mToken,
  mirrorEmulator,
  signInThroughEmulator,
  type EmulatorSignIn,
} from '../../test/support/emulator-sign-in.ts';
import { createAccessVerifier, type AccessVerifier } from './access-verifier.ts';
import { createApiKey, revokeApiKey } from './api-keys.ts';
import { createPermissionCatalogue } from '../core/permission-catalogue.ts';

const config = {
  PUBLIC_URL: 'http://127.0.0.1:3000',
  SESSION_IDLE_TIMEOUT_SECONDS: 3600,
  SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
};
const SHAPE = ['authMethod', 'isSuperAdmin', 'organizationId', 'permissions', 'principal', 'role'];

function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.sub = 'user_someone_else';
  return [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
}

function unsigned(claims: object): string {
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
}

for (const engine of testEngines()) {
  describe(`access: every credential on ${engine.name}`, () => {
    let store: Store;
    let emulator: RunningEmulator;
    let verifier: AccessVerifier;
    let app: Hono;
    let grace: EmulatorSignIn; // Globex admin
    let sam: EmulatorSignIn; // Globex admin too, deactivated below
    const cookies: Record<string, string> = {};
    const keys: Record<string, string> = {};
    let m2m: string;
    let acmeOrg: string;
    // The verifier's clock, moved forward instead of sleeping until a short-lived key has expired.
    let clockOffsetMs = 0;

    before(async () => {
      [store, emulator] = await Promise.all([engine.open(), startEmulator()]);
      await mirrorEmulator(store.db, emulator);
      grace = await signInThroughEmulator(emulator, 'grace@globex.test', 'Globex');
      sam = await signInThroughEmulator(emulator, 'sam@globex.test', 'Globex');
      m2m = await m2mToken(emulator);
      acmeOrg = decodeJwt(m2m).org_id as string;
      const sessions = createSessionService({ db: store.db, secrets: [TEST_SECRET], config });
      verifier = createAccessVerifier({
        db: store.db,
        sessions,
        workos: { apiBaseUrl: emulator.url, clientId: emulator.clientId },
        clock: () => Date.now() + clockOffsetMs,
      });
      app = new Hono();
      app.use(provideAccess(verifier, { publicUrl: config.PUBLIC_URL }));
      app.get('/orgs/:orgId/whoami', requireAuth(), (c) => {
        requireOrganization(c, c.req.param('orgId'));
        return c.json(authOf(c));
      });
      app.get('/orgs/:orgId/audit', requireAuth({ permission: 'audit:read' }), (c) => c.json(authOf(c)));
      app.onError(createErrorHandler(createLogger('silent')));

      const signIn = (who: EmulatorSignIn, authMethod: 'sso' | 'password' = 'password') =>
        inTenant(store.db, who.organizationId, (tx) =>
          sessions.create(tx, {
            organizationId: who.organizationId,
            userId: who.userId,
            authMethod,
            role: 'admin',
            workosSessionId: who.workosSessionId,
            accessToken: who.accessToken,
            refreshToken: who.refreshToken,
          }),
        );
      cookies.grace = (await signIn(grace)).cookieValue;
      cookies.sam = (await signIn(sam)).cookieValue;
      const revoked = await signIn(await signInThroughEmulator(emulator, 'grace@globex.test', 'Globex'));
      cookies.revoked = revoked.cookieValue;
      await sessions.revoke(revoked.sessionId, { type: 'system', id: null });

      const graceCtx = await verifier.verifyCredential({ cookie: cookies.grace });
      const samCtx = await verifier.verifyCredential({ cookie: cookies.sam });
      const make = (creator: AuthContext, ownership: 'personal' | 'organization', expiresAt: Date | null = null) =>
        inTenant(store.db, creator.organizationId, (tx) =>
          createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator,
            name: 'ci',
            role: 'member',
            ownership,
            expiresAt,
            environment: 'test',
          }),
        );
      keys.org = (await make(graceCtx, 'organization')).secret;
      keys.personal = (await make(graceCtx, 'personal')).secret;
      keys.samPersonal = (await make(samCtx, 'personal')).secret;
      const toRevoke = await make(graceCtx, 'organization');
      keys.revoked = toRevoke.secret;
      await inTenant(store.db, grace.organizationId, (tx) =>
        revokeApiKey(tx, {
          organizationId: grace.organizationId,
          apiKeyId: toRevoke.apiKey.id,
          actor: { type: 'user', id: grace.userId },
        }),
      );
      const soon = await make(graceCtx, 'organization', new Date(Date.now() + 1500));
      keys.expired = soon.secret;
      // Sam's membership is deactivated in the mirror after everything of his was issued.
      await setMembershipStatus(store.db, sam.organizationId, sam.userId, 'inactive');
      clockOffsetMs = 1600;
      verifier.cache.clear();
    });
    after(async () => {
      verifier?.close();
      await emulator?.close();
      await store?.close();
    });

    const call = (org: string, headers: Record<string, string>, path = 'whoami') =>
      app.request(`/orgs/${org}/${path}`, { headers });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const cookie = (v: string) => ({ cookie: `gatehouse_session=${v}` });

    it('resolves every valid credential kind to the same AuthContext shape', async () => {
      const valid: [string, string, Record<string, string>, string][] = [
        ['session cookie', grace.organizationId, cookie(cookies.grace!), 'session'],
        ['WorkOS access token', grace.organizationId, bearer(grace.accessToken), 'access_token'],
        ['organization API key', grace.organizationId, bearer(keys.org!), 'api_key'],
        ['personal API key', grace.organizationId, bearer(keys.personal!), 'api_key'],
        ['M2M token', acmeOrg, bearer(m2m), 'm2m'],
      ];
      for (const [name, org, headers, method] of valid) {
        const res = await call(org, headers);
        assert.equal(res.status, 200, name);
        const ctx = (await res.json()) as AuthContext;
        const keysOf = Object.keys(ctx)
          .filter((k) => k !== 'sessionId' && k !== 'apiKeyId' && k !== 'impersonator')
          .sort();
        assert.deepEqual(keysOf, SHAPE, name);
        assert.equal(ctx.authMethod, method, name);
        assert.equal(ctx.organizationId, org, name);
        assert.ok(Array.isArray(ctx.permissions), name);
      }
      const session = (await (await call(grace.organizationId, cookie(cookies.grace!))).json()) as AuthContext;
      assert.deepEqual(session.principal, { type: 'user', userId: grace.userId });
      assert.equal(session.role, 'admin');
      assert.ok(session.sessionId);
      const key = (await (await call(grace.organizationId, bearer(keys.personal!))).json()) as AuthContext;
      assert.equal(key.role, 'member');
      assert.ok(!key.permissions.includes('api_keys:manage'), "a key carries its own role, not its creator's");
    });

    it('refuses forged, expired, wrong-algorithm, wrong-key, revoked, deactivated and cross-organization credentials', async () => {
      const realKid = decodeProtectedHeader(grace.accessToken).kid!;
      const claims = decodeJwt(grace.accessToken);
      const now = Math.floor(Date.now() / 1000);
      const stranger = await generateKeyPair('RS256');
      const strangerSigned = (kid: string) =>
        new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(stranger.privateKey);
      const publicJwk = await exportJWK((await generateKeyPair('RS256')).publicKey);
      const expired = await emulator.context.keys.sign({ ...claims, iat: undefined, exp: undefined }, 60, now - 3600);
      const wrongIssuer = await emulator.context.keys.sign(
        { ...claims, iss: 'https://evil.example', exp: undefined },
        300,
        now,
      );
      const noOrg = await emulator.context.keys.sign({ ...claims, org_id: undefined, exp: undefined }, 300, now);
      const notYet = await emulator.context.keys.sign({ ...claims, exp: undefined, nbf: now + 600 }, 900, now);
      const hs256 = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', kid: realKid })
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      const apiKeyShaped = `gth_live_${'A'.repeat(43)}`;
      const [cid, csecret] = cookies.grace!.split('.') as [string, string];

      const refused: [string, string, Record<string, string>, number, string][] = [
        ['no credential', grace.organizationId, {}, 401, 'AUTH_REQUIRED'],
        [
          'forged claims (signature mismatch)',
          grace.organizationId,
          bearer(tamper(grace.accessToken)),
          401,
          'AUTH_TOKEN_INVALID',
        ],
        ['expired access token', grace.organizationId, bearer(expired), 401, 'AUTH_TOKEN_EXPIRED'],
        ['not yet valid (nbf)', grace.organizationId, bearer(notYet), 401, 'AUTH_TOKEN_INVALID'],
        ['alg: none', grace.organizationId, bearer(unsigned(claims)), 401, 'AUTH_TOKEN_INVALID'],
        ['HS256 with the public key as secret', grace.organizationId, bearer(hs256), 401, 'AUTH_TOKEN_INVALID'],
        [
          'wrong key under the real kid',
          grace.organizationId,
          bearer(await strangerSigned(realKid)),
          401,
          'AUTH_TOKEN_INVALID',
        ],
        ['unknown kid', grace.organizationId, bearer(await strangerSigned('kid_unknown')), 401, 'AUTH_TOKEN_INVALID'],
        ['wrong issuer', grace.organizationId, bearer(wrongIssuer), 401, 'AUTH_TOKEN_INVALID'],
        ['token without organization', grace.organizationId, bearer(noOrg), 401, 'AUTH_TOKEN_INVALID'],
        ['garbage bearer', grace.organizationId, bearer('not-a-token'), 401, 'AUTH_TOKEN_INVALID'],
        ['Basic scheme', grace.organizationId, { authorization: 'Basic Z3Vlc3M6Z3Vlc3M=' }, 401, 'AUTH_TOKEN_INVALID'],
        [
          'tampered session cookie',
          grace.organizationId,
          cookie(`${cid}.${csecret.slice(0, -1)}${csecret.endsWith('A') ? 'B' : 'A'}`),
          401,
          'SESSION_INVALID',
        ],
        ['revoked session cookie', grace.organizationId, cookie(cookies.revoked!), 401, 'SESSION_REVOKED'],
        [
          'session cookie of a deactivated member',
          sam.organizationId,
          cookie(cookies.sam!),
          401,
          'AUTH_MEMBERSHIP_INACTIVE',
        ],
        [
          'access token of a deactivated member',
          sam.organizationId,
          bearer(sam.accessToken),
          401,
          'AUTH_MEMBERSHIP_INACTIVE',
        ],
        [
          'personal key of a deactivated member',
          sam.organizationId,
          bearer(keys.samPersonal!),
          401,
          'AUTH_MEMBERSHIP_INACTIVE',
        ],
        ['unknown API key', grace.organizationId, bearer(apiKeyShaped), 401, 'AUTH_API_KEY_INVALID'],
        ['malformed API key', grace.organizationId, bearer('gth_live_short'), 401, 'AUTH_API_KEY_INVALID'],
        ['revoked API key', grace.organizationId, bearer(keys.revoked!), 401, 'AUTH_API_KEY_REVOKED'],
        ['expired API key', grace.organizationId, bearer(keys.expired!), 401, 'AUTH_API_KEY_EXPIRED'],
        ['session cookie on another organization', acmeOrg, cookie(cookies.grace!), 404, 'RESOURCE_NOT_FOUND'],
        ['access token on another organization', acmeOrg, bearer(grace.accessToken), 404, 'RESOURCE_NOT_FOUND'],
        ['API key on another organization', acmeOrg, bearer(keys.org!), 404, 'RESOURCE_NOT_FOUND'],
        ['M2M token on another organization', grace.organizationId, bearer(m2m), 404, 'RESOURCE_NOT_FOUND'],
      ];
      let accepted = 0;
      for (const [name, org, headers, status, code] of refused) {
        const res = await call(org, headers);
        if (res.status < 400) accepted++;
        const body = (await res.json()) as { code: string };
        assert.equal(res.status, status, name);
        assert.equal(body.code, code, name);
        if (status === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="gatehouse"/, name);
        assert.ok(!JSON.stringify(body).includes(grace.accessToken.slice(-20)), `${name}: no token in the answer`);
      }
      console.log(`tried ${refused.length} accepted ${accepted}`);
      assert.equal(accepted, 0);
    });

    it('answers 403 when the role lacks the permission, and refuses a revoked WorkOS session id', async () => {
      const res = await call(grace.organizationId, bearer(keys.org!), 'audit');
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { code: string }).code, 'AUTH_FORBIDDEN');
      // Revoking our session for this WorkOS session also refuses the bearer token carrying its sid.
      const sessions = createSessionService({ db: store.db, secrets: [TEST_SECRET], config });
      const mine = await sessions.list({ organizationId: grace.organizationId, userId: grace.userId });
      await sessions.revokeAllForUser(grace.userId, grace.organizationId, { type: 'system', id: null });
      assert.ok(mine.length > 0);
      verifier.cache.clear();
      const after = await call(grace.organizationId, bearer(grace.accessToken));
      assert.equal(after.status, 401);
      assert.equal(((await after.json()) as { code: string }).code, 'AUTH_TOKEN_REVOKED');
    });

    it("carries an M2M token's declared app permissions and drops undeclared scopes", async () => {
      const created = await fetch(`${emulator.url}/_emulator/m2m_applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.apiKey}` },
        body: JSON.stringify({
          name: 'notes sync',
          organization_id: acmeOrg,
          scopes: ['notes:write', 'notes:export', 'members:read'],
        }),
      });
      assert.equal(created.status, 201);
      const { client_id, client_secret } = (await created.json()) as { client_id: string; client_secret: string };
      const token = await m2mToken(emulator, client_id, client_secret);
      const declared = createPermissionCatalogue([{ slug: 'notes:write', description: 'Write notes', roles: [] }]);
      const withApp = createAccessVerifier({
        db: store.db,
        permissions: declared,
        workos: { apiBaseUrl: emulator.url, clientId: emulator.clientId },
      });
      try {
        const auth = await withApp.verifyCredential({ bearer: token });
        assert.equal(auth.authMethod, 'm2m');
        assert.deepEqual([...auth.permissions].sort(), ['members:read', 'notes:write']);
      } finally {
        withApp.close();
      }
      // Without the declaration the same token carries Gatehouse's permissions only.
      assert.deepEqual((await verifier.verifyCredential({ bearer: token })).permissions, ['members:read']);
    });

    it('rate-limits failed API key attempts per source with Retry-After', async () => {
      const limited = createAccessVerifier({ db: store.db });
      const bad = `gth_test_${'B'.repeat(43)}`;
      const source = { sourceIp: '203.0.113.9' };
      await limited.verifyCredential({ bearer: keys.org! }, source);
      let status = 0;
      let retryAfter: unknown;
      for (let i = 0; i < 12 && status !== 429; i++) {
        try {
          await limited.verifyCredential({ bearer: bad }, source);
        } catch (error) {
          status = (error as { status: number }).status;
          retryAfter = (error as { details?: { retryAfter?: unknown } }).details?.retryAfter;
        }
      }
      assert.equal(status, 429);
      assert.ok(typeof retryAfter === 'number' && retryAfter > 0);
      // A key that already verified keeps working from the limited source; another source is not affected.
      assert.equal((await limited.verifyCredential({ bearer: keys.org! }, source)).authMethod, 'api_key');
      await assert.rejects(limited.verifyCredential({ bearer: bad }, { sourceIp: '198.51.100.1' }), { status: 401 });
    });
  });
}
