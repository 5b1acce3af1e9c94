// Members and invitations through /api/v1: each change goes to WorkOS (the emulator, through the
// unmodified SDK), is audited with the admin as actor, and is refused for another tenant's ids.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkOS } from '@workos-inc/node';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createWorkosOrganizationAdmin } from '../../src/identity/workos/workos-organization-admin.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { checkedApi } from '../support/openapi-responses.ts';

describe('/api/v1 members and invitations against the emulator', () => {
  let emulator: RunningEmulator;
  let workos: WorkOS;
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  let globex: string;
  let acme: string;
  let graceMembership: string;
  let samMembership: string;
  let admin: AuthContext;

  before(async () => {
    emulator = await startEmulator();
    const port = Number(new URL(emulator.url).port);
    workos = new WorkOS(emulator.apiKey, { apiHostname: '127.0.0.1', port, https: false, clientId: emulator.clientId });
    const orgs = (await workos.organizations.listOrganizations()).data;
    globex = orgs.find((o) => o.name === 'Globex')!.id;
    acme = orgs.find((o) => o.name === 'Acme')!.id;
    const users = (await workos.userManagement.listUsers()).data;
    const grace = users.find((u) => u.email === 'grace@globex.test')!;
    const sam = users.find((u) => u.email === 'sam@globex.test')!;
    const memberships = (await workos.userManagement.listOrganizationMemberships({ organizationId: globex })).data;
    graceMembership = memberships.find((m) => m.userId === grace.id)!.id;
    samMembership = memberships.find((m) => m.userId === sam.id)!.id;

    store = await openPgliteTestStore();
    // The mirror as webhooks would have left it.
    await asSystem(store.db, 'test fixture', async (tx) => {
      await tx
        .insertInto('organizations')
        .values([
          { id: globex, name: 'Globex' },
          { id: acme, name: 'Acme' },
        ])
        .execute();
      await tx
        .insertInto('users')
        .values([
          { id: grace.id, email: grace.email },
          { id: sam.id, email: sam.email },
        ])
        .execute();
      await tx
        .insertInto('organization_memberships')
        .values([
          {
            organization_id: globex,
            id: graceMembership,
            user_id: grace.id,
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          },
          {
            organization_id: globex,
            id: samMembership,
            user_id: sam.id,
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          },
        ])
        .execute();
    });
    admin = {
      principal: { type: 'user', userId: grace.id },
      organizationId: globex,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session',
      isSuperAdmin: false,
    };
    const acmeAdmin: AuthContext = {
      ...admin,
      principal: { type: 'user', userId: 'user_01ACMEADMIN0000' },
      organizationId: acme,
    };
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: async (c) => {
        const who = c.req.header('x-test-principal');
        if (who === 'globex') return admin;
        if (who === 'acme') return acmeAdmin;
        throw new AppError('AUTH_REQUIRED', 'Sign in');
      },
      organizationAdmin: createWorkosOrganizationAdmin({
        apiKey: emulator.apiKey,
        clientId: emulator.clientId,
        apiHostname: '127.0.0.1',
        port,
        https: false,
      }),
    });
  });
  after(async () => {
    await store?.close();
    await emulator?.close();
  });

  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await checkedApi(app).request(`/api/v1${path}`, {
      method,
      headers: { 'x-test-principal': who, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  const auditTypes = async () =>
    (
      await inTenant(store.db, globex, (tx) => tx.selectFrom('audit_events').select('type').orderBy('seq').execute())
    ).map((e) => e.type);

  it("changes a member's role in WorkOS, audited", async () => {
    const res = await call('globex', 'PATCH', `/organizations/${globex}/members/${samMembership}`, { role: 'member' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.role, 'member');
    assert.equal((await workos.userManagement.getOrganizationMembership(samMembership)).role.slug, 'member');
    assert.ok((await auditTypes()).includes('member.role_changed'));
  });

  it('deactivates and reactivates a member, but never the caller themself', async () => {
    assert.equal(
      (await call('globex', 'POST', `/organizations/${globex}/members/${samMembership}/deactivate`)).body.status,
      'inactive',
    );
    assert.equal((await workos.userManagement.getOrganizationMembership(samMembership)).status, 'inactive');
    assert.equal(
      (await call('globex', 'POST', `/organizations/${globex}/members/${samMembership}/reactivate`)).body.status,
      'active',
    );
    const self = await call('globex', 'POST', `/organizations/${globex}/members/${graceMembership}/deactivate`);
    assert.equal(self.status, 409);
    assert.equal((await workos.userManagement.getOrganizationMembership(graceMembership)).status, 'active');
  });

  it('invites with a role, lists, resends and revokes', async () => {
    const sent = await call('globex', 'POST', `/organizations/${globex}/invitations`, {
      email: 'New.Hire@globex.test',
      role: 'member',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.deepEqual([sent.body.email, sent.body.state, sent.body.role], ['new.hire@globex.test', 'pending', 'member']);
    const listed = await call('globex', 'GET', `/organizations/${globex}/invitations?state=pending`);
    assert.equal(listed.body.data[0].role, 'member');
    assert.equal(
      (await call('globex', 'POST', `/organizations/${globex}/invitations/${sent.body.id}/resend`)).status,
      200,
    );
    const revoked = await call('globex', 'POST', `/organizations/${globex}/invitations/${sent.body.id}/revoke`);
    assert.equal(revoked.body.state, 'revoked');
    assert.equal((await workos.userManagement.getInvitation(sent.body.id)).state, 'revoked');
    const types = await auditTypes();
    for (const t of ['invitation.sent', 'invitation.resent_by_admin', 'invitation.revoked_by_admin'])
      assert.ok(types.includes(t), t);
  });

  it('refuses bad input and another tenant, changing nothing in WorkOS', async () => {
    const before = (await workos.userManagement.getOrganizationMembership(samMembership)).role.slug;
    const cases: [string, string, string, unknown, number][] = [
      ['globex', 'PATCH', `/organizations/${globex}/members/${samMembership}`, { role: 'overlord' }, 422],
      [
        'globex',
        'PATCH',
        `/organizations/${globex}/members/${samMembership}`,
        { role: 'admin', status: 'active' },
        422,
      ],
      ['globex', 'PATCH', `/organizations/${globex}/members/not-an-id`, { role: 'admin' }, 422],
      ['globex', 'PATCH', `/organizations/${globex}/members/om_01NOSUCHMEMBER00`, { role: 'admin' }, 404],
      ['globex', 'POST', `/organizations/${globex}/invitations`, { email: 'not-an-email', role: 'member' }, 422],
      ['globex', 'POST', `/organizations/${globex}/invitations`, { email: 'a@b.test', role: 'overlord' }, 422],
      ['acme', 'PATCH', `/organizations/${globex}/members/${samMembership}`, { role: 'admin' }, 404],
      ['acme', 'PATCH', `/organizations/${acme}/members/${samMembership}`, { role: 'admin' }, 404],
      ['acme', 'DELETE', `/organizations/${acme}/members/${samMembership}`, undefined, 404],
    ];
    for (const [who, method, path, body, status] of cases)
      assert.equal(
        (await call(who, method, path, body)).status,
        status,
        `${who} ${method} ${path} ${JSON.stringify(body)}`,
      );
    assert.equal((await workos.userManagement.getOrganizationMembership(samMembership)).role.slug, before);
  });

  it('removes a member', async () => {
    assert.equal((await call('globex', 'DELETE', `/organizations/${globex}/members/${samMembership}`)).status, 204);
    await assert.rejects(workos.userManagement.getOrganizationMembership(samMembership));
  });
});
