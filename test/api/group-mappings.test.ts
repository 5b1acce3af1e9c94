// Directory group to role mappings through /api/v1 and the roles page: mapping a group changes
// its members' role at once, audited; removing it falls back; bad input changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { checkedApi } from '../support/openapi-responses.ts';
import { makeEvent, recordingRevoker } from '../webhooks/support.ts';

describe('directory group mappings', () => {
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  const access = recordingRevoker();
  const org = 'org_01GROUPMAPS00000';
  const groupId = 'directory_group_01ENGINEERS0000';

  before(async () => {
    store = await openPgliteTestStore();
    let clock = Date.UTC(2026, 3, 1);
    const send = (type: string, data: Record<string, unknown>) =>
      ingestEvent({ db: store.db, access }, makeEvent(type, data, new Date(clock++)), 'webhook');
    await send('organization.created', { object: 'organization', id: org, name: 'Maps', external_id: null });
    await send('organization_domain.verified', {
      object: 'organization_domain',
      id: 'org_domain_01MAPS00000000',
      organization_id: org,
      domain: 'maps.test',
      state: 'verified',
    });
    await send('user.created', {
      object: 'user',
      id: 'user_01KIM000000000',
      email: 'kim@maps.test',
      email_verified: true,
      first_name: 'Kim',
      last_name: 'K',
    });
    await send('dsync.activated', {
      object: 'directory',
      id: 'directory_01MAPS0000000',
      organization_id: org,
      name: 'Dir',
      type: 'okta scim v2.0',
      state: 'active',
    });
    const du = {
      object: 'directory_user',
      id: 'directory_user_01KIM00000000',
      directory_id: 'directory_01MAPS0000000',
      organization_id: org,
      idp_id: 'kim',
      email: 'kim@maps.test',
      first_name: 'Kim',
      last_name: 'K',
      state: 'active',
      emails: [],
    };
    await send('dsync.user.created', du);
    const group = {
      object: 'directory_group',
      id: groupId,
      directory_id: 'directory_01MAPS0000000',
      organization_id: org,
      idp_id: 'eng',
      name: 'Engineers',
    };
    await send('dsync.group.created', group);
    await send('dsync.group.user_added', { directory_id: 'directory_01MAPS0000000', user: du, group });
    // The organization's own admin, set by hand: removing a mapping never leaves it without one.
    await send('user.created', {
      object: 'user',
      id: 'user_01ADMIN0000000',
      email: 'ada@maps.test',
      email_verified: true,
      first_name: 'Ada',
      last_name: 'A',
    });
    await send('organization_membership.created', {
      object: 'organization_membership',
      id: 'om_01ADMIN00000000',
      user_id: 'user_01ADMIN0000000',
      organization_id: org,
      status: 'active',
      role: { slug: 'admin' },
    });
    const admin: AuthContext = {
      principal: { type: 'user', userId: 'user_01ADMIN0000000' },
      organizationId: org,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session',
      isSuperAdmin: false,
    };
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      accessRevoker: access,
      authenticate: async (c) => {
        if (c.req.header('x-test-principal') !== 'admin') throw new AppError('AUTH_REQUIRED', 'Sign in');
        return admin;
      },
    });
  });
  after(() => store?.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await checkedApi(app).request(`/api/v1/organizations/${org}${path}`, {
      method,
      headers: { 'x-test-principal': 'admin', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  const kimRole = async () =>
    (
      await asSystem(store.db, 'test reads', (tx) =>
        tx
          .selectFrom('organization_memberships')
          .select('role_slug')
          .where('organization_id', '=', org)
          .where('user_id', '=', 'user_01KIM000000000')
          .executeTakeFirstOrThrow(),
      )
    ).role_slug;

  it('maps a group to a role, recomputing its members at once, and unmaps it', async () => {
    assert.equal(await kimRole(), 'member');
    assert.deepEqual((await call('GET', '/directory-groups')).body.data, [
      { id: groupId, directoryId: 'directory_01MAPS0000000', name: 'Engineers', role: null, priority: null },
    ]);
    assert.equal(
      (await call('PUT', `/directory-groups/${groupId}/role-mapping`, { role: 'admin', priority: 5 })).status,
      204,
    );
    assert.equal(await kimRole(), 'admin');
    assert.equal((await call('GET', '/directory-groups')).body.data[0].role, 'admin');
    assert.equal((await call('DELETE', `/directory-groups/${groupId}/role-mapping`)).status, 204);
    assert.equal(await kimRole(), 'member');
    const types = (await call('GET', '/audit-events?limit=100')).body.data.map((e: { type: string }) => e.type);
    assert.ok(types.includes('directory.group_role_mapped') && types.includes('directory.group_role_unmapped'));
  });

  it('refuses unknown roles, groups and bad input without changing anyone', async () => {
    assert.equal((await call('PUT', `/directory-groups/${groupId}/role-mapping`, { role: 'overlord' })).status, 422);
    assert.equal(
      (await call('PUT', '/directory-groups/directory_group_01NOSUCHGROUP00/role-mapping', { role: 'admin' })).status,
      404,
    );
    assert.equal(
      (await call('PUT', `/directory-groups/${groupId}/role-mapping`, { role: 'admin', priority: -1 })).status,
      422,
    );
    assert.equal(
      (await call('PUT', `/directory-groups/${groupId}/role-mapping`, { role: 'admin', extra: true })).status,
      422,
    );
    assert.equal((await call('PUT', '/directory-groups/nope/role-mapping', { role: 'admin' })).status, 422);
    assert.equal((await call('DELETE', `/directory-groups/${groupId}/role-mapping`)).status, 404);
    assert.equal(await kimRole(), 'member');
  });

  it('maps from the roles page', async () => {
    const res = await app.request(`/admin/orgs/${org}/roles/map`, {
      method: 'POST',
      headers: { 'x-test-principal': 'admin', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ groupId, role: 'admin', priority: '3' }),
    });
    assert.equal(res.status, 303);
    assert.equal(await kimRole(), 'admin');
    const page = await (
      await app.request(`/admin/orgs/${org}/roles`, { headers: { 'x-test-principal': 'admin' } })
    ).text();
    assert.match(page, /Engineers/);
  });
});
