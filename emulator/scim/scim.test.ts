import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { createWorld } from '../state/world.ts';
import { createScimRouter, SCIM_MOUNT_PATH } from './router.ts';
import { replayEntra, replayOkta } from './sequences.ts';
import { scimClient, seedDirectory } from './testing.ts';
import { createEventValidator } from '../testing/event-schema.ts';

// The SCIM service in-process (app.request, no sockets): provider sequences, event shapes
// against the WorkOS OpenAPI document, and the error contract.

const validateEvent = createEventValidator();

function setup(type = 'okta scim v2.0') {
  const world = createWorld();
  const { directory, org } = seedDirectory(world, { token: 'scim_token_for_tests_0123456789', type });
  const app = new Hono();
  app.route(SCIM_MOUNT_PATH, createScimRouter(world));
  const request = async (path: string, init: RequestInit) => app.request(path, init);
  const base = `http://emulator.test${SCIM_MOUNT_PATH}/${directory.id}`;
  return { world, directory, org, request, base, scim: scimClient(request, base, 'scim_token_for_tests_0123456789') };
}

for (const [name, replay] of [
  ['Okta', replayOkta],
  ['Entra', replayEntra],
] as const) {
  test(`${name} sequence yields its dsync events in order, each valid per the OpenAPI spec`, async () => {
    const { world, scim, directory, org } = setup();
    const expected = await replay(scim);
    assert.deepEqual(
      world.events.map((e) => e.event),
      expected,
    );
    for (const event of world.events) {
      assert.equal(validateEvent(event), null, `${event.event}: ${validateEvent(event)}`);
      const data = event.data as {
        directory_id?: string;
        organization_id?: string;
        user?: { organization_id: string };
      };
      assert.equal(data.directory_id, directory.id);
      if (data.user) assert.equal(data.user.organization_id, org.id);
      else assert.equal(data.organization_id, org.id);
    }
  });
}

test('updates carry previous_attributes; deactivation moves state to inactive', async () => {
  const { world, scim } = setup();
  await replayOkta(scim);
  const updates = world.events
    .filter((e) => e.event === 'dsync.user.updated')
    .map((e) => e.data as Record<string, any>);
  assert.equal(updates[0]?.last_name, 'Lima-Souza');
  assert.equal(updates[0]?.previous_attributes.last_name, 'Lima');
  assert.deepEqual(updates[0]?.previous_attributes.raw_attributes, { name: { givenName: 'Ana', familyName: 'Lima' } });
  assert.equal(updates[1]?.state, 'inactive');
  assert.equal(updates[1]?.previous_attributes.state, 'active');
  const renamed = world.events.find((e) => e.event === 'dsync.group.updated')?.data as Record<string, any>;
  assert.equal(renamed.name, 'Platform Engineering');
  assert.equal(renamed.previous_attributes.name, 'Engineering');
  const created = world.events[0]?.data as Record<string, any>;
  assert.equal(created.idp_id, '00u1okta');
  assert.equal(created.email, 'ana@acme.test');
  assert.equal(
    JSON.stringify(world.events).includes('Sup3r-secret!'),
    false,
    'a pushed password never reaches an event',
  );
});

test('Entra attributes map to WorkOS fields, string booleans included', async () => {
  const { world, scim } = setup('azure scim v2.0');
  await replayEntra(scim);
  const created = world.events[0]?.data as Record<string, any>;
  assert.equal(created.state, 'active');
  assert.equal(created.job_title, 'Engineer');
  assert.deepEqual(created.custom_attributes, { job_title: 'Engineer', department: 'R&D', employee_number: '1042' });
  const first = world.events[1]?.data as Record<string, any>;
  assert.deepEqual(first.custom_attributes, {
    job_title: 'Staff Engineer',
    department: 'Platform',
    employee_number: '1042',
    manager_id: 'mgr-7f3a',
  });
  assert.deepEqual(first.previous_attributes.custom_attributes, {
    job_title: 'Engineer',
    department: 'R&D',
    employee_number: '1042',
  });
  const second = world.events[2]?.data as Record<string, any>;
  assert.equal(second.first_name, 'Bob');
  assert.equal(second.email, 'bob@acme.test');
  assert.equal(second.previous_attributes.email, 'bo@acme.test');
  const added = world.events[4]?.data as Record<string, any>;
  assert.equal(added.group.name, 'Sales');
  assert.equal(added.group.idp_id, 'a1b2-group');
  assert.equal(added.user.email, 'bob@acme.test');
});

test('a PATCH that changes nothing emits nothing', async () => {
  const { world, scim } = setup();
  const user = await scim.post('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'x@acme.test',
    active: true,
  });
  const before = world.events.length;
  const res = await scim.patch(`/Users/${user.body.id}`, [{ op: 'replace', path: 'active', value: true }]);
  assert.equal(res.status, 200);
  assert.equal(world.events.length, before);
});

test('errors are SCIM error bodies with status and scimType', async () => {
  const { scim, request, base, world } = setup();
  const schema = 'urn:ietf:params:scim:api:messages:2.0:Error';

  const wrongToken = await scimClient(request, base, 'not-the-token').get('/Users');
  assert.equal(wrongToken.status, 401);
  assert.deepEqual(wrongToken.body.schemas, [schema]);
  assert.equal(wrongToken.body.status, '401');
  const otherDirectory = await scimClient(
    request,
    base.replace(/directory_\w+$/, 'directory_unknown'),
    'scim_token_for_tests_0123456789',
  ).get('/Users');
  assert.equal(otherDirectory.status, 401, 'an unknown directory looks the same as a bad token');

  const missing = await scim.get('/Users/directory_user_nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.status, '404');

  const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dup@acme.test' };
  assert.equal((await scim.post('/Users', body)).status, 201);
  const dup = await scim.post('/Users', { ...body, userName: 'DUP@acme.test' });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.scimType, 'uniqueness');

  const noUserName = await scim.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] });
  assert.equal(noUserName.status, 400);
  assert.equal(noUserName.body.scimType, 'invalidValue');

  const badFilter = await scim.get('/Users?filter=userName%20zz%20%22x%22');
  assert.equal(badFilter.status, 400);
  assert.equal(badFilter.body.scimType, 'invalidFilter');

  const id = (await scim.get('/Users')).body.Resources[0].id;
  const badPath = await scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'no.such.attribute', value: 1 }]);
  assert.equal(badPath.status, 400);
  assert.equal(badPath.body.schemas[0], schema);

  const notJson = await request(`${base}/Users`, {
    method: 'POST',
    headers: { authorization: 'Bearer scim_token_for_tests_0123456789' },
    body: '{',
  });
  assert.equal(notJson.status, 400);
  assert.equal((await notJson.json()).scimType, 'invalidSyntax');
  assert.equal(world.events.filter((e) => e.event === 'dsync.user.created').length, 1);
});

test('listing pages with startIndex and count', async () => {
  const { scim } = setup();
  for (let i = 0; i < 5; i++) {
    await scim.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${i}@acme.test` });
  }
  const page = await scim.get('/Users?startIndex=2&count=2');
  assert.equal(page.body.totalResults, 5);
  assert.equal(page.body.startIndex, 2);
  assert.equal(page.body.itemsPerPage, 2);
  assert.deepEqual(
    page.body.Resources.map((r: { userName: string }) => r.userName),
    ['u1@acme.test', 'u2@acme.test'],
  );
  assert.equal((await scim.get('/Users?count=0')).body.Resources.length, 0);
  assert.equal(page.headers.get('content-type'), 'application/scim+json');
});

test('discovery endpoints describe Users, Groups and the enterprise extension', async () => {
  const { scim, base } = setup();
  const spc = await scim.get('/ServiceProviderConfig');
  assert.equal(spc.body.patch.supported, true);
  assert.equal(spc.body.meta.location, `${base}/ServiceProviderConfig`);
  const types = await scim.get('/ResourceTypes');
  assert.deepEqual(
    types.body.Resources.map((r: { id: string }) => r.id),
    ['User', 'Group'],
  );
  assert.equal((await scim.get('/ResourceTypes/Group')).body.endpoint, '/Groups');
  const schemas = await scim.get('/Schemas');
  const ids = schemas.body.Resources.map((r: { id: string }) => r.id);
  assert.ok(ids.includes('urn:ietf:params:scim:schemas:core:2.0:User'));
  assert.ok(ids.includes('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'));
  const user = await scim.get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
  assert.ok(user.body.attributes.some((a: { name: string }) => a.name === 'userName'));
});
