// Super-admins (members of GATEHOUSE_SUPERADMIN_ORG whose role there carries tenants:admin) list
// every tenant, provision evaluation tenants through WorkOS (the emulator), and enter other tenants
// by an explicit POST, audited once there; reads afterwards write nothing. A plain member of the
// super-admin organization, and everyone else, gets 404 from these routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkOS } from '@workos-inc/node';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createAccessVerifier } from '../../src/access/access-verifier.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createWorkosOrganizationAdmin } from '../../src/identity/workos/workos-organization-admin.ts';
import { createLogger } from '../../src/logger.ts';
import { createSessionService } from '../../src/sessions/session-service.ts';
import type { Store } from '../../src/store/store.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { checkedApi } from '../support/openapi-responses.ts';

describe('super-admin', () => {
  let emulator: RunningEmulator;
  let workos: WorkOS;
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  let internalOrg: string;
  let customerOrg: string;
  let superCookie: string;
  let plainCookie: string;
  let internMemberCookie: string;
  let operatorCookie: string;
  let cookieName: string;

  before(async () => {
    emulator = await startEmulator({ seed: false });
    const port = Number(new URL(emulator.url).port);
    workos = new WorkOS(emulator.apiKey, { apiHostname: '127.0.0.1', port, https: false, clientId: emulator.clientId });
    store = await openPgliteTestStore();
    internalOrg = await createOrg(store.db, 'Gatehouse internal');
    customerOrg = await createOrg(store.db, 'Customer');
    const staff = await createUser(store.db, 'ops@gatehouse.test');
    const customer = await createUser(store.db, 'admin@customer.test');
    const intern = await createUser(store.db, 'intern@gatehouse.test');
    const operator = await createUser(store.db, 'operator@gatehouse.test');
    await inTenant(store.db, internalOrg, async (tx) => {
      await tx
        .insertInto('organization_roles')
        .values({ organization_id: internalOrg, slug: 'operator', name: 'Operator', permissions: ['tenants:admin'] })
        .execute();
      await tx
        .insertInto('organization_memberships')
        .values([
          {
            organization_id: internalOrg,
            id: 'om_01STAFF00000000',
            user_id: staff,
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          },
          {
            organization_id: internalOrg,
            id: 'om_01INTERN0000000',
            user_id: intern,
            role_slug: 'member',
            status: 'active',
            source: 'manual',
          },
          {
            organization_id: internalOrg,
            id: 'om_01OPERATOR00000',
            user_id: operator,
            role_slug: 'operator',
            status: 'active',
            source: 'manual',
          },
        ])
        .execute();
    });
    await inTenant(store.db, customerOrg, (tx) =>
      tx
        .insertInto('organization_memberships')
        .values({
          organization_id: customerOrg,
          id: 'om_01CUSTOMER00000',
          user_id: customer,
          role_slug: 'admin',
          status: 'active',
          source: 'manual',
        })
        .execute(),
    );
    const sessions = createSessionService({
      db: store.db,
      secrets: ['k'.repeat(40)],
      config: {
        PUBLIC_URL: 'http://app.test',
        SESSION_IDLE_TIMEOUT_SECONDS: 3600,
        SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
      },
    });
    const cookieOf = async (userId: string, role: string) =>
      (
        await inTenant(store.db, internalOrg, (tx) =>
          sessions.create(tx, { organizationId: internalOrg, userId, authMethod: 'sso', role }),
        )
      ).cookieValue;
    superCookie = await cookieOf(staff, 'admin');
    internMemberCookie = await cookieOf(intern, 'member');
    operatorCookie = await cookieOf(operator, 'operator');
    plainCookie = (
      await inTenant(store.db, customerOrg, (tx) =>
        sessions.create(tx, { organizationId: customerOrg, userId: customer, authMethod: 'sso', role: 'admin' }),
      )
    ).cookieValue;
    const verifier = createAccessVerifier({ db: store.db, sessions, superAdminOrganizationId: internalOrg });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: (c) => verifier.verify(c.req.raw),
      organizationAdmin: createWorkosOrganizationAdmin({
        apiKey: emulator.apiKey,
        clientId: emulator.clientId,
        apiHostname: '127.0.0.1',
        port,
        https: false,
      }),
      sessions,
    });
    cookieName = sessions.cookie.name;
  });
  after(async () => {
    await store?.close();
    await emulator?.close();
  });

  const call = async (cookie: string, method: string, path: string, body?: unknown, site = 'same-origin') => {
    const res = await checkedApi(app).request(`/api/v1${path}`, {
      method,
      headers: {
        cookie: `${cookieName}=${cookie}`,
        'sec-fetch-site': site,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  const entries = async () =>
    await inTenant(store.db, customerOrg, (tx) =>
      tx.selectFrom('audit_events').selectAll().where('type', '=', 'superadmin.entered').execute(),
    );

  it('is invisible to a customer admin (404)', async () => {
    assert.equal((await call(plainCookie, 'GET', '/admin/organizations')).status, 404);
    assert.equal(
      (await call(plainCookie, 'POST', '/admin/organizations', { name: 'X', adminEmail: 'x@x.test' })).status,
      404,
    );
    assert.equal((await call(plainCookie, 'POST', `/admin/organizations/${internalOrg}/enter`)).status, 404);
  });

  it('is not granted by membership alone: a plain member of the super-admin organization gets 404', async () => {
    assert.equal((await call(internMemberCookie, 'GET', '/me')).body.isSuperAdmin, false);
    assert.equal((await call(internMemberCookie, 'GET', '/admin/organizations')).status, 404);
    assert.equal((await call(internMemberCookie, 'POST', `/admin/organizations/${customerOrg}/enter`)).status, 404);
    assert.equal((await call(internMemberCookie, 'GET', `/organizations/${customerOrg}/members`)).status, 404);
    const page = await app.request('/admin/tenants', { headers: { cookie: `${cookieName}=${internMemberCookie}` } });
    assert.equal(page.status, 404);
    // A custom role carrying tenants:admin is enough; the built-in admin role carries it too.
    assert.equal((await call(operatorCookie, 'GET', '/me')).body.isSuperAdmin, true);
    assert.equal((await call(superCookie, 'GET', '/me')).body.isSuperAdmin, true);
    assert.equal((await entries()).length, 0);
  });

  it('lists every tenant with SSO, directory and member status, audited', async () => {
    const res = await call(superCookie, 'GET', '/admin/organizations');
    assert.equal(res.status, 200);
    const customer = res.body.data.find((t: { id: string }) => t.id === customerOrg);
    assert.deepEqual(customer.members, { active: 1, inactive: 0, pending: 0 });
    assert.deepEqual(customer.sso, { enabled: false, enforced: false, provider: null });
    const audit = await inTenant(store.db, internalOrg, (tx) => tx.selectFrom('audit_events').select('type').execute());
    assert.ok(audit.some((e) => e.type === 'superadmin.tenants_listed'));
  });

  it('provisions an evaluation tenant once, however often it is asked', async () => {
    const first = await call(superCookie, 'POST', '/admin/organizations', {
      name: 'Initech Eval',
      adminEmail: 'Peter@Initech.test',
      seedDemo: true,
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.createdOrganization, true);
    assert.equal(first.body.invitedAdmin, true);
    assert.equal(first.body.seededDemo, true);
    const again = await call(superCookie, 'POST', '/admin/organizations', {
      name: 'Initech Eval',
      adminEmail: 'peter@initech.test',
      seedDemo: true,
    });
    assert.equal(again.body.organizationId, first.body.organizationId);
    assert.deepEqual(
      [again.body.createdOrganization, again.body.invitedAdmin, again.body.seededDemo],
      [false, false, false],
    );
    const orgs = (await workos.organizations.listOrganizations()).data.filter((o) => o.name === 'Initech Eval');
    assert.equal(orgs.length, 1);
    const invitations = (await workos.userManagement.listInvitations({ organizationId: first.body.organizationId }))
      .data;
    assert.deepEqual(
      invitations.map((i) => i.email),
      ['peter@initech.test'],
    );
    const chain = await inTenant(store.db, first.body.organizationId, (tx) =>
      tx.selectFrom('audit_events').select('type').orderBy('seq').execute(),
    );
    assert.deepEqual(
      chain.map((e) => e.type),
      ['role.created', 'role.created', 'tenant.provisioned'],
    );
    for (const bad of [
      { name: '', adminEmail: 'a@b.test' },
      { name: 'X', adminEmail: 'not-an-email' },
      { name: '!!!', adminEmail: 'a@b.test' },
      { name: 'X', adminEmail: 'a@b.test', owner: true },
    ]) {
      const res = await call(superCookie, 'POST', '/admin/organizations', bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
    }
  });

  it('enters another tenant only by an explicit POST, audited once there; reads write nothing', async () => {
    const before = await call(superCookie, 'GET', `/organizations/${customerOrg}/members`);
    assert.equal(before.status, 404);
    assert.equal(before.body.code, 'AUTH_SUPERADMIN_NOT_ENTERED');
    const pageBefore = await app.request(`/admin/orgs/${customerOrg}/members`, {
      headers: { cookie: `${cookieName}=${superCookie}` },
    });
    assert.equal(pageBefore.status, 404);
    assert.equal((await entries()).length, 0, 'a GET writes nothing');

    // A cross-site POST (another site's form, with our cookie attached) is refused by the CSRF check.
    const forged = await call(
      superCookie,
      'POST',
      `/admin/organizations/${customerOrg}/enter`,
      undefined,
      'cross-site',
    );
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'AUTH_CSRF_REJECTED');
    const forgedPage = await app.request(`/admin/tenants/${customerOrg}/enter`, {
      method: 'POST',
      headers: { cookie: `${cookieName}=${superCookie}`, 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(forgedPage.status, 403);
    assert.equal((await entries()).length, 0);

    assert.equal((await call(superCookie, 'POST', `/admin/organizations/${customerOrg}/enter`)).status, 204);
    const res = await call(superCookie, 'GET', `/organizations/${customerOrg}/members`);
    assert.equal(res.status, 200);
    assert.equal(res.body.data[0].email, 'admin@customer.test');
    const page = await app.request(`/admin/orgs/${customerOrg}/members`, {
      headers: { cookie: `${cookieName}=${superCookie}` },
    });
    assert.equal(page.status, 200);
    assert.equal((await call(superCookie, 'GET', `/organizations/${customerOrg}/roles`)).status, 200);
    const recorded = await entries();
    assert.equal(recorded.length, 1, 'one entry, however many reads follow');
    assert.equal(recorded[0]!.data.fromOrganizationId, internalOrg);
    assert.equal((await call(superCookie, 'POST', `/admin/organizations/org_01NOSUCHORG000000/enter`)).status, 404);
  });

  it('enters from the tenant switcher page by a same-origin POST', async () => {
    const switcher = await (
      await app.request('/admin/tenants', { headers: { cookie: `${cookieName}=${operatorCookie}` } })
    ).text();
    assert.match(
      switcher,
      new RegExp(`<form class="inline" method="post" action="/admin/tenants/${customerOrg}/enter">`),
    );
    const entered = await app.request(`/admin/tenants/${customerOrg}/enter`, {
      method: 'POST',
      headers: { cookie: `${cookieName}=${operatorCookie}`, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(entered.status, 303);
    assert.equal(entered.headers.get('location'), `/admin/orgs/${customerOrg}/members`);
    assert.equal(
      (
        await app.request(`/admin/orgs/${customerOrg}/members`, {
          headers: { cookie: `${cookieName}=${operatorCookie}` },
        })
      ).status,
      200,
    );
    const recorded = await entries();
    assert.equal(recorded.length, 2);
    assert.equal(recorded[1]!.data.via, 'tenant switcher');
  });
});
