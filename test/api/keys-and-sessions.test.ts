// API keys and sessions through /api/v1 with real credentials: a key created here authenticates
// at once and is refused the moment it is revoked; sessions are listed and revoked for one user
// or all of a user's, and a revoked session no longer resolves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccessVerifier } from '../../src/access/access-verifier.ts';
import { createApiKey } from '../../src/access/api-keys.ts';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { openRevocationBus, type RevocationBus } from '../../src/sessions/revocation-bus.ts';
import { createSessionService, type SessionService } from '../../src/sessions/session-service.ts';
import type { Store } from '../../src/store/store.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { checkedApi } from '../support/openapi-responses.ts';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';

describe('/api/v1 API keys and sessions', () => {
  let store: Store;
  let sessions: SessionService;
  let app: ReturnType<typeof createHttpApp>;
  let org: string;
  let userId: string;
  let adminKey: string;
  let bus: RevocationBus;

  before(async () => {
    store = await openPgliteTestStore();
    org = await createOrg(store.db, 'Acme');
    userId = await createUser(store.db, 'ada@acme.test');
    await inTenant(store.db, org, (tx) =>
      tx
        .insertInto('organization_memberships')
        .values({
          organization_id: org,
          id: 'om_01ADA000000000',
          user_id: userId,
          role_slug: 'admin',
          status: 'active',
          source: 'manual',
        })
        .execute(),
    );
    const creator: AuthContext = {
      principal: { type: 'user', userId },
      organizationId: org,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session',
      isSuperAdmin: false,
    };
    adminKey = (
      await inTenant(store.db, org, (tx) =>
        createApiKey(tx, {
          catalogue: createPermissionCatalogue(),
          creator,
          name: 'bootstrap',
          role: 'admin',
          ownership: 'organization',
        }),
      )
    ).secret;
    sessions = createSessionService({
      db: store.db,
      secrets: ['s'.repeat(40)],
      config: {
        PUBLIC_URL: 'http://app.test',
        SESSION_IDLE_TIMEOUT_SECONDS: 3600,
        SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
      },
    });
    bus = openRevocationBus({ store });
    await bus.ready;
    const verifier = createAccessVerifier({ db: store.db, sessions, bus });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: (c) => verifier.verify(c.req.raw),
      sessions,
    });
  });
  after(async () => {
    await bus?.close();
    await store?.close();
  });

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await checkedApi(app).request(`/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: res.status === 204 ? null : await res.json() };
  };

  it('creates a key whose secret is shown once, lists it by prefix, and refuses it at once after revocation', async () => {
    const created = await call('POST', `/organizations/${org}/api-keys`, adminKey, {
      name: 'ci deploys',
      role: 'member',
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const secret: string = created.body.secret;
    assert.match(secret, /^gth_live_/);
    const listed = await call('GET', `/organizations/${org}/api-keys`, adminKey);
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'the list never shows a secret');
    assert.ok(
      listed.body.data.some(
        (k: { prefix: string; role: string }) => secret.startsWith(k.prefix) && k.role === 'member',
      ),
    );
    const me = await call('GET', '/me', secret);
    assert.equal(me.status, 200);
    assert.equal(me.body.role, 'member');
    assert.equal(
      (await call('DELETE', `/organizations/${org}/api-keys/${created.body.apiKey.id}`, adminKey)).status,
      204,
    );
    // The revocation reaches the verifier's cache through the bus (NOTIFY on commit).
    let refused = await call('GET', '/me', secret);
    for (let waited = 0; refused.status === 200 && waited < 1000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      refused = await call('GET', '/me', secret);
    }
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'AUTH_API_KEY_REVOKED');
    assert.equal(
      (await call('DELETE', `/organizations/${org}/api-keys/${created.body.apiKey.id}`, adminKey)).status,
      404,
      'revoking twice finds nothing',
    );
  });

  it("refuses keys above the creator's role, unknown roles and bad input, writing nothing", async () => {
    const member = (await call('POST', `/organizations/${org}/api-keys`, adminKey, { name: 'low', role: 'member' }))
      .body.secret;
    const before = (await call('GET', `/organizations/${org}/api-keys`, adminKey)).body.data.length;
    assert.equal(
      (await call('POST', `/organizations/${org}/api-keys`, member, { name: 'escalate', role: 'admin' })).status,
      403,
    );
    for (const bad of [
      { name: 'x', role: 'nonexistent-role' },
      { name: '', role: 'member' },
      { name: 'x', role: 'member', expiresAt: '2001-01-01T00:00:00Z' },
      { name: 'x', role: 'member', scopes: ['*'] },
      { name: 'x'.repeat(500), role: 'member' },
    ]) {
      const res = await call('POST', `/organizations/${org}/api-keys`, adminKey, bad);
      assert.ok(res.status === 422 || res.status === 400, `${JSON.stringify(bad)} -> ${res.status}`);
    }
    assert.equal((await call('GET', `/organizations/${org}/api-keys`, adminKey)).body.data.length, before);
  });

  it("lists and revokes sessions, one or all of a user's", async () => {
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(
        await inTenant(store.db, org, (tx) =>
          sessions.create(tx, { organizationId: org, userId, authMethod: 'sso', role: 'admin' }),
        ),
      );
    const listed = await call('GET', `/organizations/${org}/sessions?userId=${userId}`, adminKey);
    assert.equal(listed.body.data.length, 3);
    assert.equal((await call('DELETE', `/organizations/${org}/sessions/${made[0]!.sessionId}`, adminKey)).status, 204);
    assert.deepEqual(await sessions.resolve(made[0]!.cookieValue), { ok: false, reason: 'SESSION_REVOKED' });
    assert.equal((await sessions.resolve(made[1]!.cookieValue)).ok, true);
    const all = await call('DELETE', `/organizations/${org}/users/${userId}/sessions`, adminKey);
    assert.deepEqual(all.body, { revoked: 2 });
    assert.equal((await sessions.resolve(made[2]!.cookieValue)).ok, false);
    assert.equal((await call('GET', `/organizations/${org}/sessions`, adminKey)).body.data.length, 0);
    assert.equal((await call('DELETE', `/organizations/${org}/sessions/ses_01NOSUCHSESSION00`, adminKey)).status, 404);
    assert.equal((await call('DELETE', `/organizations/${org}/sessions/not-a-session`, adminKey)).status, 422);
  });
});
