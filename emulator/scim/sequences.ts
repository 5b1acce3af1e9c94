// Request sequences as Okta and Microsoft Entra send them when an admin assigns, edits,
// regroups, deactivates and removes people (shapes taken from the vendors' SCIM integration
// guides, Entra's quirks included). Each replay asserts every answer and returns the
// `dsync.*` event types the sequence must produce, in order.
import assert from 'node:assert/strict';
import type { ScimClient } from './testing.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export async function replayOkta(scim: ScimClient): Promise<string[]> {
  // Okta looks the user up before creating it.
  const lookup = await scim.get('/Users?filter=userName%20eq%20%22ana%40acme.test%22&startIndex=1&count=100');
  assert.equal(lookup.status, 200);
  assert.equal(lookup.body.totalResults, 0);

  const created = await scim.post('/Users', {
    schemas: [USER],
    userName: 'ana@acme.test',
    externalId: '00u1okta',
    name: { givenName: 'Ana', familyName: 'Lima' },
    displayName: 'Ana Lima',
    locale: 'en-US',
    emails: [{ primary: true, value: 'ana@acme.test', type: 'work' }],
    password: 'Sup3r-secret!',
    active: true,
    groups: [],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const userId: string = created.body.id;
  assert.equal(created.body.password, undefined, 'passwords are never echoed');

  const found = await scim.get('/Users?filter=userName%20eq%20%22ANA%40acme.test%22');
  assert.deepEqual(
    found.body.Resources.map((r: { id: string }) => r.id),
    [userId],
  );

  // Profile edits arrive as a full PUT.
  const put = await scim.put(`/Users/${userId}`, {
    ...created.body,
    name: { givenName: 'Ana', familyName: 'Lima-Souza' },
  });
  assert.equal(put.status, 200);
  assert.equal(put.body.name.familyName, 'Lima-Souza');

  const group = await scim.post('/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [] });
  assert.equal(group.status, 201);
  const groupId: string = group.body.id;

  const add = await scim.patch(`/Groups/${groupId}`, [
    { op: 'add', path: 'members', value: [{ value: userId, display: 'ana@acme.test' }] },
  ]);
  assert.equal(add.status, 200);
  assert.deepEqual(
    add.body.members.map((m: { value: string }) => m.value),
    [userId],
  );

  const remove = await scim.patch(`/Groups/${groupId}`, [{ op: 'remove', path: `members[value eq "${userId}"]` }]);
  assert.equal(remove.status, 200);
  assert.deepEqual(remove.body.members, []);

  const rename = await scim.patch(`/Groups/${groupId}`, [
    { op: 'replace', value: { id: groupId, displayName: 'Platform Engineering' } },
  ]);
  assert.equal(rename.body.displayName, 'Platform Engineering');

  // Unassigning the app deactivates; Okta never hard-deletes on its own.
  const deactivate = await scim.patch(`/Users/${userId}`, [{ op: 'replace', value: { active: false } }]);
  assert.equal(deactivate.status, 200);
  assert.equal(deactivate.body.active, false);

  assert.equal((await scim.delete(`/Groups/${groupId}`)).status, 204);
  assert.equal((await scim.delete(`/Users/${userId}`)).status, 204);
  assert.equal((await scim.get(`/Users/${userId}`)).status, 404);

  return [
    'dsync.user.created',
    'dsync.user.updated',
    'dsync.group.created',
    'dsync.group.user_added',
    'dsync.group.user_removed',
    'dsync.group.updated',
    'dsync.user.updated',
    'dsync.group.deleted',
    'dsync.user.deleted',
  ];
}

export async function replayEntra(scim: ScimClient): Promise<string[]> {
  const probe = await scim.get('/Users?filter=userName+eq+%22bo%40acme.test%22');
  assert.equal(probe.body.totalResults, 0);

  const created = await scim.post('/Users', {
    schemas: [USER, ENTERPRISE],
    externalId: '3f9c1a2e-entra',
    userName: 'bo@acme.test',
    active: 'True',
    displayName: 'Bo Berg',
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: 'bo@acme.test' }],
    name: { formatted: 'Bo Berg', familyName: 'Berg', givenName: 'Bo' },
    [ENTERPRISE]: { department: 'R&D', employeeNumber: '1042' },
    meta: { resourceType: 'User' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const userId: string = created.body.id;

  const attrs = await scim.patch(`/Users/${userId}`, [
    { op: 'Replace', path: 'title', value: 'Staff Engineer' },
    { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Platform' },
    { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mgr-7f3a' },
  ]);
  assert.equal(attrs.status, 200, JSON.stringify(attrs.body));
  assert.equal(attrs.body.title, 'Staff Engineer');
  assert.deepEqual(attrs.body[ENTERPRISE].manager, { value: 'mgr-7f3a' });

  // Path-less value object whose keys are paths, one of them value-filtered.
  const pathless = await scim.patch(`/Users/${userId}`, [
    { op: 'Replace', value: { 'name.givenName': 'Bob', 'emails[type eq "work"].value': 'bob@acme.test' } },
  ]);
  assert.equal(pathless.status, 200, JSON.stringify(pathless.body));
  assert.equal(pathless.body.emails[0].value, 'bob@acme.test');

  const groupProbe = await scim.get('/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22');
  assert.equal(groupProbe.body.totalResults, 0);
  const group = await scim.post('/Groups', {
    schemas: [GROUP],
    externalId: 'a1b2-group',
    displayName: 'Sales',
    members: [],
  });
  assert.equal(group.status, 201);
  const groupId: string = group.body.id;

  assert.equal(
    (await scim.patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: [{ value: userId }] }])).status,
    200,
  );
  assert.equal(
    (await scim.patch(`/Groups/${groupId}`, [{ op: 'Remove', path: 'members', value: [{ value: userId }] }])).status,
    200,
  );
  assert.equal(
    (await scim.patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: [{ value: userId }] }])).status,
    200,
  );

  const disable = await scim.patch(`/Users/${userId}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
  assert.equal(disable.status, 200, JSON.stringify(disable.body));
  assert.equal(disable.body.active, false);

  assert.equal((await scim.delete(`/Users/${userId}`)).status, 204);
  assert.equal((await scim.delete(`/Groups/${groupId}`)).status, 204);

  return [
    'dsync.user.created',
    'dsync.user.updated',
    'dsync.user.updated',
    'dsync.group.created',
    'dsync.group.user_added',
    'dsync.group.user_removed',
    'dsync.group.user_added',
    'dsync.user.updated',
    'dsync.user.deleted',
    'dsync.group.deleted',
  ];
}
