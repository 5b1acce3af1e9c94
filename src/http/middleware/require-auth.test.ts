// requireAuth through app.request(): cookie-authenticated state changes need our origin (CSRF),
// bearer credentials do not; super-admins are flagged and pass requireOrganization only where a
// route allows it; a route without provideAccess is a programming error, not an open door.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { createAccessVerifier, type AccessVerifier } from '../../access/access-verifier.ts';
import { createLogger } from '../../logger.ts';
import { createSessionService } from '../../sessions/session-service.ts';
import type { Store } from '../../store/store.ts';
import { inTenant } from '../../store/tenant.ts';
import { createErrorHandler } from '../error-handler.ts';
import { authOf, provideAccess, requireAuth, requireOrganization } from './require-auth.ts';
import { openPgliteTestStore } from '../../../test/support/stores.ts';
import { addMember, orgWithMember, TEST_SECRET } from '../../../test/support/access-fixtures.ts';
import { createOrg } from '../../../test/support/fixtures.ts';

const PUBLIC_URL = 'https://auth.example.com';
const config = { PUBLIC_URL, SESSION_IDLE_TIMEOUT_SECONDS: 3600, SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400 };

describe('requireAuth middleware', () => {
  let store: Store;
  let verifier: AccessVerifier;
  let app: Hono;
  let cookie: string;
  let memberCookie: string;
  let otherOrg: string;
  before(async () => {
    store = await openPgliteTestStore();
    // Super-admins hold tenants:admin in the staff organization (the built-in admin role has it).
    const staff = await orgWithMember(store.db, 'admin');
    otherOrg = await createOrg(store.db, 'Customer');
    const sessions = createSessionService({ db: store.db, secrets: [TEST_SECRET], config });
    // The staff organization is the super-admin organization.
    verifier = createAccessVerifier({ db: store.db, sessions, superAdminOrganizationId: staff.organizationId });
    const created = await inTenant(store.db, staff.organizationId, (tx) =>
      sessions.create(tx, {
        organizationId: staff.organizationId,
        userId: staff.userId,
        authMethod: 'sso',
        role: 'admin',
      }),
    );
    cookie = `__Host-gatehouse_session=${created.cookieValue}`;
    await addMember(store.db, otherOrg, staff.userId, 'member');
    const asMember = await inTenant(store.db, otherOrg, (tx) =>
      sessions.create(tx, { organizationId: otherOrg, userId: staff.userId, authMethod: 'sso', role: 'member' }),
    );
    memberCookie = `__Host-gatehouse_session=${asMember.cookieValue}`;
    app = new Hono();
    app.use(provideAccess(verifier, { publicUrl: PUBLIC_URL }));
    app.post('/change', requireAuth(), (c) => c.json({ ok: true }));
    app.get('/orgs/:id', requireAuth(), (c) =>
      c.json(requireOrganization(c, c.req.param('id'), { allowSuperAdmin: true })),
    );
    app.get('/strict/:id', requireAuth(), (c) => c.json(requireOrganization(c, c.req.param('id'))));
    app.get('/admin-only', requireAuth({ permission: 'members:manage' }), (c) => c.json(authOf(c)));
    app.onError(createErrorHandler(createLogger('silent')));
  });
  after(() => store?.close());

  it('refuses a cookie-authenticated POST from another origin or with no origin evidence', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ cookie, origin: PUBLIC_URL }, 200],
      [{ cookie, 'sec-fetch-site': 'same-origin' }, 200],
      [{ cookie, origin: 'https://evil.example' }, 403],
      [{ cookie, 'sec-fetch-site': 'cross-site', origin: PUBLIC_URL }, 403],
      [{ cookie }, 403],
    ];
    for (const [headers, status] of cases) {
      const res = await app.request('/change', { method: 'POST', headers });
      assert.equal(res.status, status, JSON.stringify(headers));
      if (status === 403) assert.equal(((await res.json()) as { code: string }).code, 'AUTH_CSRF_REJECTED');
    }
  });

  it('marks super-admins, lets them enter only where allowed, and checks permissions', async () => {
    const res = await app.request(`/orgs/${otherOrg}`, { headers: { cookie } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { isSuperAdmin: boolean }).isSuperAdmin, true);
    assert.equal((await app.request(`/strict/${otherOrg}`, { headers: { cookie } })).status, 404);
    const forbidden = await app.request('/admin-only', { headers: { cookie: memberCookie } });
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { code: string }).code, 'AUTH_FORBIDDEN');
  });

  it('answers 401 with a bare challenge when no credential is presented', async () => {
    const res = await app.request('/admin-only');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
    assert.equal(((await res.json()) as { code: string }).code, 'AUTH_REQUIRED');
  });
});
