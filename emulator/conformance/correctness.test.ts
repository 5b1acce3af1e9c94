// Inputs the SDK sends that must change the answer: Idempotency-Key replays, search and
// filters (applied or refused, never ignored), counts and fields as documented.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

test('Idempotency-Key: a replayed create answers the first result and creates nothing; another body is refused', async () => {
  const key = 'idem-org-1';
  const first = await h.workos.organizations.createOrganization({ name: 'Once Inc' }, { idempotencyKey: key });
  const again = await h.workos.organizations.createOrganization({ name: 'Once Inc' }, { idempotencyKey: key });
  assert.equal(again.id, first.id);
  assert.equal([...h.emulator.world.organizations.values()].filter((o) => o.name === 'Once Inc').length, 1);
  assert.equal(
    h.emulator.world.events.filter((e) => e.event === 'organization.created' && e.data.id === first.id).length,
    1,
  );
  const clash = await h.request('POST', '/organizations', {
    body: { name: 'Twice Inc' },
    headers: { 'idempotency-key': key },
  });
  assert.equal(clash.status, 422);
  assert.equal(clash.body.code, 'idempotency_key_reused');
  // An injected 502 is not kept: the SDK's retry (same key) really runs and creates the organization.
  await h.control('POST', '/faults', { method: 'POST', path: '/organizations', status: 502, count: 1 });
  const retried = await h.workos.organizations.createOrganization(
    { name: 'Retried Inc' },
    { idempotencyKey: 'idem-org-2' },
  );
  assert.equal([...h.emulator.world.organizations.values()].filter((o) => o.name === 'Retried Inc').length, 1);
  assert.equal((await h.workos.organizations.getOrganization(retried.id)).name, 'Retried Inc');
  const user = { email: 'idem@user.test', password: 'a long password' };
  const u1 = await h.request('POST', '/user_management/users', {
    body: user,
    headers: { 'idempotency-key': 'idem-user' },
  });
  const u2 = await h.request('POST', '/user_management/users', {
    body: { email: user.email, password: user.password },
    headers: { 'idempotency-key': 'idem-user' },
  });
  assert.equal(u2.status, 201);
  assert.equal(u2.body.id, u1.body.id);
  assert.equal(u2.headers.get('idempotent-replayed'), 'true');
  h.assertConformant();
});

test('search on organizations and connections narrows the list (by name, case-insensitively)', async () => {
  const acme = await h.workos.organizations.createOrganization({ name: 'Searchable Acme' });
  await h.workos.organizations.createOrganization({ name: 'Searchable Globex' });
  const found = await h.workos.organizations.listOrganizations({ search: 'searchable ACME' } as never);
  assert.deepEqual(
    found.data.map((o) => o.id),
    [acme.id],
  );
  await h.control('POST', '/connections', {
    organization_id: acme.id,
    connection_type: 'OktaSAML',
    state: 'active',
    name: 'Acme Okta',
  });
  await h.control('POST', '/connections', {
    organization_id: acme.id,
    connection_type: 'GenericOIDC',
    state: 'active',
    name: 'Acme OIDC',
  });
  const okta = await h.request('GET', '/connections?search=okta');
  assert.equal(okta.status, 200);
  assert.deepEqual(
    okta.body.data.map((c: { name: string }) => c.name),
    ['Acme Okta'],
  );
  h.assertConformant();
});

test('users: the deprecated organization filter applies, conflicts are refused; name is kept', async () => {
  const org = await h.workos.organizations.createOrganization({ name: 'Filter Org' });
  const other = await h.workos.organizations.createOrganization({ name: 'Other Org' });
  const named = await h.workos.userManagement.createUser({
    email: 'ana.name@filter.test',
    name: 'Ana Maria Lima',
  } as never);
  await h.workos.userManagement.createUser({ email: 'bo@filter.test', firstName: 'Bo', lastName: 'Ek' });
  await h.workos.userManagement.createOrganizationMembership({ userId: named.id, organizationId: org.id });
  assert.equal((named as { name?: string | null }).name, 'Ana Maria Lima');
  const bo = (await h.workos.userManagement.listUsers({ email: 'bo@filter.test' })).data[0] as { name?: string | null };
  assert.equal(bo.name, 'Bo Ek', 'without a name, first and last name make it');
  const renamed = await h.workos.userManagement.updateUser({ userId: named.id, name: 'Ana Lima' } as never);
  assert.equal((renamed as { name?: string | null }).name, 'Ana Lima');
  const legacy = await h.request('GET', `/user_management/users?organization=${org.id}`);
  assert.deepEqual(
    legacy.body.data.map((u: { id: string }) => u.id),
    [named.id],
  );
  const conflicting = await h.request(
    'GET',
    `/user_management/users?organization=${org.id}&organization_id=${other.id}`,
  );
  assert.equal(conflicting.status, 422);
  h.assertConformant();
});

test('directory metadata counts its users by state and its groups', async () => {
  const org = await h.workos.organizations.createOrganization({ name: 'Counted Org' });
  const created = await h.control('POST', '/directories', { organization_id: org.id });
  const scim = (method: string, path: string, body: unknown) =>
    fetch(`${created.scim_url}${path}`, {
      method,
      headers: { authorization: `Bearer ${created.scim_token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
  const user = 'urn:ietf:params:scim:schemas:core:2.0:User';
  await scim('POST', '/Users', { schemas: [user], userName: 'a@counted.test' });
  const b = (await (await scim('POST', '/Users', { schemas: [user], userName: 'b@counted.test' })).json()) as {
    id: string;
  };
  await scim('PATCH', `/Users/${b.id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Eng' });
  const directory = await h.request('GET', `/directories/${created.directory.id}`);
  assert.deepEqual(directory.body.metadata, { users: { active: 1, inactive: 1 }, groups: 1 });
  const listed = await h.request('GET', `/directories?organization_id=${org.id}`);
  assert.deepEqual(listed.body.data[0].metadata, { users: { active: 1, inactive: 1 }, groups: 1 });
  h.assertConformant();
});

test('webhook endpoints accept an empty events list, as the spec allows', async () => {
  const created = await h.request('POST', '/webhook_endpoints', {
    body: { endpoint_url: 'https://hooks.example.test/empty', events: [] },
  });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.events, []);
  const updated = await h.request('PATCH', `/webhook_endpoints/${created.body.id}`, { body: { events: [] } });
  assert.equal(updated.status, 200);
  h.assertConformant();
  await h.assertEventsConformant();
});
