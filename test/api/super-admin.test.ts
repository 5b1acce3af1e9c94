// Super-admins (members of GATEHOUSE_SUPERADMIN_ORG) list every tenant, provision evaluation
// tenants through WorkOS (the emulator), and enter other tenants with each entry audited there.
// Everyone else gets 404 from these routes.
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
    await inTenant(store.db, internalOrg, (tx) => tx.insertInto('organization_memberships').values({ organization_id: internalOrg, id: 'om_01STAFF00000000', user_id: staff, role_slug: 'member', status: 'active', source: 'manual' }).execute());
    await inTenant(store.db, customerOrg, (tx) => tx.insertInto('organization_memberships').values({ organization_id: customerOrg, id: 'om_01CUSTOMER00000', user_id: customer, role_slug: 'admin', status: 'active', source: 'manual' }).execute());
    const sessions = createSessionService({ db: store.db, secrets: ['k'.repeat(40)], config: { PUBLIC_URL: 'http://app.test', SESSION_IDLE_TIMEOUT_SECONDS: 3600, SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400 } });
    superCookie = (await inTenant(store.db, internalOrg, (tx) => sessions.create(tx, { organizationId: internalOrg, userId: staff, authMethod: 'sso', role: 'member' }))).cookieValue;
    plainCookie = (await inTenant(store.db, customerOrg, (tx) => sessions.create(tx, { organizationId: customerOrg, userId: customer, authMethod: 'sso', role: 'admin' }))).cookieValue;
    const verifier = createAccessVerifier({ db: store.db, sessions, superAdminOrganizationId: internalOrg });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: (c) => verifier.verify(c.req.raw),
      organizationAdmin: createWorkosOrganizationAdmin({ apiKey: emulator.apiKey, clientId: emulator.clientId, apiHostname: '127.0.0.1', port, https: false }),
      sessions,
    });
    cookieName = sessions.cookie.name;
  });
  after(async () => {
    await store?.close();
    await emulator?.close();
  });

  const call = async (cookie: string, method: string, path: string, body?: unknown) => {
    const res = await checkedApi(app).request(`/api/v1${path}`, {
      method,
      headers: { cookie: `${cookieName}=${cookie}`, 'sec-fetch-site': 'same-origin', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };

  it('is invisible to a customer admin (404)', async () => {
    assert.equal((await call(plainCookie, 'GET', '/admin/organizations')).status, 404);
    assert.equal((await call(plainCookie, 'POST', '/admin/organizations', { name: 'X', adminEmail: 'x@x.test' })).status, 404);
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
    const first = await call(superCookie, 'POST', '/admin/organizations', { name: 'Initech Eval', adminEmail: 'Peter@Initech.test', seedDemo: true });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.createdOrganization, true);
    assert.equal(first.body.invitedAdmin, true);
    assert.equal(first.body.seededDemo, true);
    const again = await call(superCookie, 'POST', '/admin/organizations', { name: 'Initech Eval', adminEmail: 'peter@initech.test', seedDemo: true });
    assert.equal(again.body.organizationId, first.body.organizationId);
    assert.deepEqual([again.body.createdOrganization, again.body.invitedAdmin, again.body.seededDemo], [false, false, false]);
    const orgs = (await workos.organizations.listOrganizations()).data.filter((o) => o.name === 'Initech Eval');
    assert.equal(orgs.length, 1);
    const invitations = (await workos.userManagement.listInvitations({ organizationId: first.body.organizationId })).data;
    assert.deepEqual(invitations.map((i) => i.email), ['peter@initech.test']);
    const chain = await inTenant(store.db, first.body.organizationId, (tx) => tx.selectFrom('audit_events').select('type').orderBy('seq').execute());
    assert.deepEqual(chain.map((e) => e.type), ['role.created', 'role.created', 'tenant.provisioned']);
    for (const bad of [{ name: '', adminEmail: 'a@b.test' }, { name: 'X', adminEmail: 'not-an-email' }, { name: '!!!', adminEmail: 'a@b.test' }, { name: 'X', adminEmail: 'a@b.test', owner: true }]) {
      const res = await call(superCookie, 'POST', '/admin/organizations', bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
    }
  });

  it('enters another tenant, and that tenant\'s chain records the entry', async () => {
    const res = await call(superCookie, 'GET', `/organizations/${customerOrg}/members`);
    assert.equal(res.status, 200);
    assert.equal(res.body.data[0].email, 'admin@customer.test');
    const entries = await inTenant(store.db, customerOrg, (tx) => tx.selectFrom('audit_events').selectAll().where('type', '=', 'superadmin.entered').execute());
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.data.fromOrganizationId, internalOrg);
  });
});
