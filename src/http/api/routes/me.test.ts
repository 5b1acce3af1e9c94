// GET /api/v1/me lists a person's own active organizations (what an app's organization switcher
// shows), and none for an API key, whose owner's other organizations are not its business.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccessVerifier } from '../../../access/access-verifier.ts';
import { createApiKey } from '../../../access/api-keys.ts';
import { createPermissionCatalogue } from '../../../core/permission-catalogue.ts';
import { ALL_PERMISSIONS } from '../../../core/permissions.ts';
import { createLogger } from '../../../logger.ts';
import { createSessionService } from '../../../sessions/session-service.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import { createOrg, createUser } from '../../../../test/support/fixtures.ts';
import { checkedApi } from '../../../../test/support/openapi-responses.ts';
import { openPgliteTestStore } from '../../../../test/support/stores.ts';
import { createHttpApp } from '../../app.ts';

describe('GET /api/v1/me', () => {
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  const orgs: Record<string, string> = {};
  let cookie = '';
  let key = '';

  before(async () => {
    store = await openPgliteTestStore();
    for (const name of ['Acme', 'Globex', 'Initech', 'Umbrella']) orgs[name] = await createOrg(store.db, name);
    const userId = await createUser(store.db, 'sam@globex.test');
    await createUser(store.db, 'other@acme.test');
    const memberships: Array<[string, string, 'active' | 'inactive']> = [
      ['Globex', 'admin', 'active'],
      ['Acme', 'member', 'active'],
      ['Initech', 'member', 'inactive'],
    ];
    for (const [name, role, status] of memberships)
      await inTenant(store.db, orgs[name]!, (tx) =>
        tx
          .insertInto('organization_memberships')
          .values({
            organization_id: orgs[name]!,
            id: `om_${name}`,
            user_id: userId,
            role_slug: role,
            status,
            source: 'manual',
          })
          .execute(),
      );
    const sessions = createSessionService({
      db: store.db,
      secrets: ['s'.repeat(40)],
      config: {
        PUBLIC_URL: 'http://app.test',
        SESSION_IDLE_TIMEOUT_SECONDS: 3600,
        SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
      },
    });
    const globex = orgs.Globex!;
    cookie = (
      await inTenant(store.db, globex, (tx) =>
        sessions.create(tx, { organizationId: globex, userId, authMethod: 'password', role: 'admin' }),
      )
    ).cookieValue;
    const creator = {
      principal: { type: 'user' as const, userId },
      organizationId: globex,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session' as const,
      isSuperAdmin: false,
    };
    key = (
      await inTenant(store.db, globex, (tx) =>
        createApiKey(tx, {
          creator,
          name: 'script',
          role: 'member',
          ownership: 'personal',
          catalogue: createPermissionCatalogue(),
        }),
      )
    ).secret;
    const verifier = createAccessVerifier({ db: store.db, sessions });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: (c) => verifier.verify(c.req.raw),
      sessions,
    });
  });
  after(async () => {
    await store?.close();
  });

  const me = async (headers: Record<string, string>) => {
    const res = await checkedApi(app).request('/api/v1/me', { headers });
    assert.equal(res.status, 200);
    return (await res.json()) as { organizationId: string; organizations: Array<{ name: string; role: string }> };
  };

  it("lists a person's active organizations with their role there, the current one included", async () => {
    const body = await me({ cookie: `gatehouse_session=${cookie}` });
    assert.equal(body.organizationId, orgs.Globex);
    assert.deepEqual(
      body.organizations.map((o) => `${o.name}:${o.role}`),
      ['Acme:member', 'Globex:admin'],
      'no inactive membership, no organization the person is not in',
    );
  });

  it('lists none for an API key, even one owned by that person', async () => {
    const body = await me({ authorization: `Bearer ${key}` });
    assert.equal(body.organizationId, orgs.Globex);
    assert.deepEqual(body.organizations, []);
  });
});
