// Admin pages through app.request(): rendering, form actions with post/redirect/get, the tenant
// wall (404) and the permission wall (403), and form errors shown on the page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';

describe('admin pages', () => {
  let store: Store;
  let orgA: string;
  let orgB: string;
  const contexts = new Map<string, AuthContext>();
  let app: ReturnType<typeof createHttpApp>;

  before(async () => {
    store = await openPgliteTestStore();
    orgA = await createOrg(store.db, 'Acme Corp');
    orgB = await createOrg(store.db, 'Globex');
    const u1 = await createUser(store.db, 'ada@acme.test');
    const u2 = await createUser(store.db, 'bob@acme.test');
    const base = { authMethod: 'session' as const, isSuperAdmin: false };
    contexts.set('admin', {
      ...base,
      principal: { type: 'user', userId: u1 },
      organizationId: orgA,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
    });
    contexts.set('member', {
      ...base,
      principal: { type: 'user', userId: u2 },
      organizationId: orgA,
      role: 'member',
      permissions: ['organization:read', 'members:read'],
    });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: async (c) => {
        const who = contexts.get(c.req.header('x-test-principal') ?? '');
        if (!who) throw new AppError('AUTH_REQUIRED', 'Sign in');
        return who;
      },
    });
  });
  after(() => store.close());

  const get = (who: string | null, path: string) =>
    app.request(path, { headers: who ? { 'x-test-principal': who } : {} });
  const post = (who: string, path: string, form: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'x-test-principal': who, 'content-type': 'application/x-www-form-urlencoded' },
    });

  it('sends a visitor without a credential to sign in', async () => {
    const res = await get(null, `/admin/orgs/${orgA}/roles`);
    assert.equal(res.status, 302);
    assert.match(res.headers.get('location')!, /^\/auth\/login\?returnTo=/);
  });

  it('renders the roles page with labelled controls', async () => {
    const res = await get('admin', `/admin/orgs/${orgA}/roles`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /<h1>Roles<\/h1>/);
    assert.match(body, /<label for="role-slug">Slug<\/label>/);
    assert.match(body, /Acme Corp/);
  });

  it('creates a role through the form, then shows it with a notice', async () => {
    const res = await post('admin', `/admin/orgs/${orgA}/roles/create`, {
      slug: 'auditor',
      name: 'Auditor',
      'perm:audit:read': 'on',
    });
    assert.equal(res.status, 303);
    const page = await (await get('admin', res.headers.get('location')!)).text();
    assert.match(page, /Role Auditor created/);
    assert.match(page, /<code>auditor<\/code>/);
  });

  it('shows a form error on the page with 422 and writes nothing', async () => {
    const res = await post('admin', `/admin/orgs/${orgA}/roles/create`, { slug: 'Bad Slug!', name: 'X' });
    assert.equal(res.status, 422);
    assert.match(await res.text(), /role="alert">The slug takes lowercase/);
    const rows = await inTenant(store.db, orgA, (tx) => tx.selectFrom('organization_roles').select('slug').execute());
    assert.deepEqual(
      rows.map((r) => r.slug),
      ['auditor'],
    );
  });

  it('another organization answers 404; a member without the permission gets 403', async () => {
    assert.equal((await get('admin', `/admin/orgs/${orgB}/roles`)).status, 404);
    assert.equal((await get('member', `/admin/orgs/${orgA}/audit`)).status, 403);
    assert.equal((await post('member', `/admin/orgs/${orgA}/roles/create`, { slug: 'x1', name: 'X' })).status, 403);
  });

  it('lists members with role, status, source and SSO sign-in, and an empty state elsewhere', async () => {
    const [admin] = [contexts.get('admin')!];
    const userId = admin.principal.type === 'user' ? admin.principal.userId : '';
    await inTenant(store.db, orgA, (tx) =>
      tx
        .insertInto('organization_memberships')
        .values({
          organization_id: orgA,
          id: 'om_01TESTMEMBER0001',
          user_id: userId,
          role_slug: 'admin',
          status: 'active',
          source: 'directory',
          last_sso_sign_in_at: new Date('2026-01-02T03:04:05Z'),
        })
        .execute(),
    );
    const body = await (await get('admin', `/admin/orgs/${orgA}/members`)).text();
    assert.match(body, /ada@acme\.test/);
    assert.match(body, /directory/);
    assert.match(body, /yes, 2026-01-02 03:04:05 UTC/);
    const api = await (await get('admin', `/api/v1/organizations/${orgA}/members?status=active`)).json();
    assert.equal(api.data.length, 1);
    assert.equal(api.data[0].lastSsoSignInAt, '2026-01-02T03:04:05.000Z');
  });

  const badForms: [string, Record<string, string>][] = [
    ['sso/enable', { connectionId: 'not-a-connection', provider: 'GenericSAML' }],
    ['sso/enable', { connectionId: 'conn_01ABCDEFGHJKMNPQ', provider: 'Carrier pigeon' }],
    ['api-keys/create', { name: '', role: 'member', ownership: 'organization', expiresInDays: '' }],
    ['api-keys/create', { name: 'x', role: 'member', ownership: 'everyone', expiresInDays: '' }],
    ['api-keys/revoke', { keyId: 'drop table' }],
    ['sessions/revoke', { sessionId: 'not-a-session' }],
    ['sessions/revoke-user', { userId: '../../etc' }],
    ['members/invite', { email: 'not-an-email', role: 'member' }],
    ['members/role', { membershipId: 'om_x', role: 'admin' }],
    ['roles/map', { groupId: 'not-a-group', role: 'admin' }],
  ];
  for (const [action, form] of badForms) {
    it(`a bad form on ${action} is shown on the page with 422 and writes nothing`, async () => {
      const count = async () =>
        (
          await inTenant(store.db, orgA, async (tx) => [
            (await tx.selectFrom('api_keys').select('id').execute()).length,
            (await tx.selectFrom('audit_events').select('seq').execute()).length,
            (await tx.selectFrom('organization_roles').select('slug').execute()).length,
          ])
        ).join(',');
      const before = await count();
      const res = await post('admin', `/admin/orgs/${orgA}/${action}`, form);
      assert.equal(res.status, 422);
      assert.match(await res.text(), /role="alert">/);
      assert.equal(await count(), before);
    });
  }

  it('verifies the audit log from the page', async () => {
    const body = await (await get('admin', `/admin/orgs/${orgA}/audit?verify=1`)).text();
    assert.match(body, /Log verified: 1 event, root <span class="id" title="[0-9a-f]{64}">/);
    assert.match(body, /role\.created/);
  });
});
