// Fine-grained authorization through the SDK: a workspace/project tree, roles scoped to resource
// types, role assignments inherited down the tree, checks, effective permissions, discovery both
// ways, and WorkOS's refusals (unknown type, external id conflict, wrong-type role, dependents).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let orgId: string;
let otherOrg: string;
let aliceOm: string;
let bobOm: string;
before(async () => {
  h = await openHarness();
  const w = h.workos as any;
  orgId = (await w.organizations.createOrganization({ name: 'FGA Org' })).id;
  otherOrg = (await w.organizations.createOrganization({ name: 'Other Org' })).id;
  const alice = await w.userManagement.createUser({ email: 'alice@fga.test' });
  const bob = await w.userManagement.createUser({ email: 'bob@fga.test' });
  aliceOm = (await w.userManagement.createOrganizationMembership({ userId: alice.id, organizationId: orgId })).id;
  bobOm = (await w.userManagement.createOrganizationMembership({ userId: bob.id, organizationId: orgId })).id;
  for (const [slug, type] of [
    ['workspace:read', 'workspace'],
    ['workspace:manage', 'workspace'],
    ['project:read', 'project'],
    ['project:edit', 'project'],
  ]) {
    await w.authorization.createPermission({ slug, name: slug, resourceTypeSlug: type });
  }
  await w.authorization.createEnvironmentRole({
    slug: 'workspace-admin',
    name: 'WS admin',
    resourceTypeSlug: 'workspace',
  });
  await w.authorization.setEnvironmentRolePermissions('workspace-admin', {
    permissions: ['workspace:read', 'workspace:manage', 'project:read', 'project:edit'],
  });
  await w.authorization.createEnvironmentRole({ slug: 'project-viewer', name: 'Viewer', resourceTypeSlug: 'project' });
  await w.authorization.setEnvironmentRolePermissions('project-viewer', { permissions: ['project:read'] });
});
after(() => h.close());

test('resources form a tree per organization; WorkOS refusals are kept', async () => {
  const w = h.workos as any;
  const ws = await w.authorization.createResource({
    organizationId: orgId,
    resourceTypeSlug: 'workspace',
    externalId: 'ws-1',
    name: 'Workspace',
  });
  assert.equal(ws.parentResourceId, null);
  const project = await w.authorization.createResource({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-1',
    name: 'Website',
    parentResourceExternalId: 'ws-1',
    parentResourceTypeSlug: 'workspace',
  });
  assert.equal(project.parentResourceId, ws.id);
  assert.equal((await w.authorization.getResource(project.id)).externalId, 'p-1');
  const byExternal = await w.authorization.getResourceByExternalId({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-1',
  });
  assert.equal(byExternal.id, project.id);
  const renamed = await w.authorization.updateResource({ resourceId: project.id, name: 'Website v2' });
  assert.equal(renamed.name, 'Website v2');
  const described = await w.authorization.updateResourceByExternalId({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-1',
    description: 'the site',
  });
  assert.equal(described.description, 'the site');
  const children = await w.authorization.listResources({ parentResourceId: ws.id });
  assert.deepEqual(
    children.data.map((r: any) => r.id),
    [project.id],
  );
  const searched = await h.request('GET', '/authorization/resources?search=website');
  assert.deepEqual(
    searched.body.data.map((r: any) => r.id),
    [project.id],
  );

  const post = (body: unknown) => h.request('POST', '/authorization/resources', { body });
  const base = { organization_id: orgId, name: 'x' };
  assert.equal((await post({ ...base, resource_type_slug: 'galaxy', external_id: 'g' })).status, 404);
  const dup = await post({ ...base, resource_type_slug: 'project', external_id: 'p-1', parent_resource_id: ws.id });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.code, 'authorization_resource_external_id_conflict');
  // The same external id in another organization is another resource.
  assert.equal(
    (await post({ ...base, organization_id: otherOrg, resource_type_slug: 'project', external_id: 'p-1' })).status,
    201,
  );
  // A parent from another organization is unknown here.
  assert.equal(
    (
      await post({
        ...base,
        resource_type_slug: 'project',
        external_id: 'p-2',
        parent_resource_id: 'authz_resource_nope',
      })
    ).status,
    404,
  );
  // A declared type keeps its allowed parents: a project only under a workspace.
  await h.control('PUT', '/resource_types', {
    resource_types: [
      { slug: 'workspace', parents: ['organization'] },
      { slug: 'project', parents: ['workspace'] },
    ],
  });
  const topLevelProject = await post({ ...base, resource_type_slug: 'project', external_id: 'p-top' });
  assert.equal(topLevelProject.status, 422);
  await h.control('PUT', '/resource_types', { resource_types: [] });
  const both = await h.request('GET', `/authorization/resources?parent_resource_id=${ws.id}&parent_external_id=ws-1`);
  assert.equal(both.status, 422);
  h.assertConformant();
});

test('a role on a workspace grants its permissions on the workspace and every project below', async () => {
  const w = h.workos as any;
  const ws = await w.authorization.createResource({
    organizationId: orgId,
    resourceTypeSlug: 'workspace',
    externalId: 'ws-2',
    name: 'Team',
  });
  const p1 = await w.authorization.createResource({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-21',
    name: 'One',
    parentResourceId: ws.id,
  });
  const p2 = await w.authorization.createResource({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-22',
    name: 'Two',
    parentResourceId: ws.id,
  });
  const check = (om: string, permissionSlug: string, resourceId: string) =>
    w.authorization.check({ organizationMembershipId: om, permissionSlug, resourceId });
  assert.deepEqual(await check(aliceOm, 'project:edit', p1.id), { authorized: false });

  const assignment = await w.authorization.assignRole({
    organizationMembershipId: aliceOm,
    roleSlug: 'workspace-admin',
    resourceId: ws.id,
  });
  assert.equal(assignment.resource.id, ws.id);
  assert.equal((await check(aliceOm, 'project:edit', p1.id)).authorized, true);
  assert.equal((await check(aliceOm, 'workspace:manage', ws.id)).authorized, true);
  // A permission applies only to resources of its type.
  assert.equal((await check(aliceOm, 'workspace:manage', p1.id)).authorized, false);
  const byExternal = await w.authorization.check({
    organizationMembershipId: aliceOm,
    permissionSlug: 'project:read',
    resourceExternalId: 'p-22',
    resourceTypeSlug: 'project',
  });
  assert.equal(byExternal.authorized, true);

  // A role scoped to projects cannot be assigned on a workspace.
  const wrongType = await h.request('POST', `/authorization/organization_memberships/${bobOm}/role_assignments`, {
    body: { role_slug: 'project-viewer', resource_id: ws.id },
  });
  assert.equal(wrongType.status, 422);
  await w.authorization.assignRole({ organizationMembershipId: bobOm, roleSlug: 'project-viewer', resourceId: p2.id });

  const effective = await w.authorization.listEffectivePermissionsByExternalId({
    organizationMembershipId: aliceOm,
    resourceTypeSlug: 'project',
    externalId: 'p-21',
  });
  assert.deepEqual(effective.data.map((p: any) => p.slug).sort(), ['project:edit', 'project:read']);
  const spec = await h.request(
    'GET',
    `/authorization/organization_memberships/${bobOm}/resources/${p2.id}/permissions`,
  );
  assert.deepEqual(
    spec.body.data.map((p: any) => p.slug),
    ['project:read'],
  );
  const viaSdkPath = await w.authorization.listEffectivePermissions({
    organizationMembershipId: bobOm,
    resourceId: p1.id,
  });
  assert.deepEqual(viaSdkPath.data, []);

  const discovered = await w.authorization.listResourcesForMembership({
    organizationMembershipId: bobOm,
    permissionSlug: 'project:read',
    parentResourceId: ws.id,
  });
  assert.deepEqual(
    discovered.data.map((r: any) => r.id),
    [p2.id],
  );
  const missingParent = await h.request(
    'GET',
    `/authorization/organization_memberships/${bobOm}/resources?permission_slug=project:read`,
  );
  assert.equal(missingParent.status, 400);
  assert.equal(missingParent.body.code, 'bad_request');

  const who = await w.authorization.listMembershipsForResource({ resourceId: p2.id, permissionSlug: 'project:read' });
  assert.deepEqual(who.data.map((m: any) => m.id).sort(), [aliceOm, bobOm].sort());
  const direct = await w.authorization.listMembershipsForResourceByExternalId({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-22',
    permissionSlug: 'project:read',
    assignment: 'direct',
  });
  assert.deepEqual(
    direct.data.map((m: any) => m.id),
    [bobOm],
  );

  const listed = await w.authorization.listRoleAssignments({ organizationMembershipId: aliceOm });
  const slugs = listed.data.map((a: any) => `${a.role.slug}@${a.resource.resourceTypeSlug}`).sort();
  assert.deepEqual(slugs, ['member@organization', 'workspace-admin@workspace']);
  const orgRole = listed.data.find((a: any) => a.resource.resourceTypeSlug === 'organization');
  const notHere = await h.request(
    'DELETE',
    `/authorization/organization_memberships/${aliceOm}/role_assignments/${orgRole.id}`,
  );
  assert.equal(notHere.status, 403, "the membership's own role is changed on the membership");
  const onResource = await w.authorization.listRoleAssignmentsForResource({ resourceId: ws.id });
  assert.deepEqual(
    onResource.data.map((a: any) => a.id),
    [assignment.id],
  );

  // Deleting a resource with dependents needs cascade_delete; then its subtree and grants go.
  const refused = await h.request('DELETE', `/authorization/resources/${ws.id}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.code, 'resource_has_dependents');
  await w.authorization.removeRole({ organizationMembershipId: bobOm, roleSlug: 'project-viewer', resourceId: p2.id });
  assert.equal((await check(bobOm, 'project:read', p2.id)).authorized, false);
  await w.authorization.removeRoleAssignment({ organizationMembershipId: aliceOm, roleAssignmentId: assignment.id });
  assert.equal((await check(aliceOm, 'project:read', p1.id)).authorized, false);
  await w.authorization.deleteResourceByExternalId({
    organizationId: orgId,
    resourceTypeSlug: 'project',
    externalId: 'p-22',
  });
  await w.authorization.deleteResource({ resourceId: ws.id, cascadeDelete: true });
  assert.equal((await h.request('GET', `/authorization/resources/${p1.id}`)).status, 404);
  h.assertConformant();
});

test('a retried POST with the same Idempotency-Key creates one resource and one assignment', async () => {
  const body = { organization_id: orgId, resource_type_slug: 'workspace', external_id: 'ws-idem', name: 'Idem' };
  const headers = { 'idempotency-key': 'fga-create-1' };
  const first = await h.request('POST', '/authorization/resources', { body, headers });
  const retry = await h.request('POST', '/authorization/resources', { body, headers });
  assert.equal(first.status, 201);
  assert.equal(retry.body.id, first.body.id);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  const assign = { role_slug: 'workspace-admin', resource_id: first.body.id };
  const path = `/authorization/organization_memberships/${aliceOm}/role_assignments`;
  const a1 = await h.request('POST', path, { body: assign, headers: { 'idempotency-key': 'fga-assign-1' } });
  const a2 = await h.request('POST', path, { body: assign, headers: { 'idempotency-key': 'fga-assign-1' } });
  assert.equal(a1.status, 201);
  assert.equal(a2.body.id, a1.body.id);
  const listed = await h.request('GET', `${path}?resource_id=${first.body.id}`);
  assert.equal(listed.body.data.length, 1);
  const otherBody = await h.request('POST', '/authorization/resources', {
    body: { ...body, name: 'Other' },
    headers,
  });
  assert.equal(otherBody.status, 422);
  await h.request('DELETE', `/authorization/resources/${first.body.id}?cascade_delete=true`);
  // The spec documents no refusal status for a malformed cascade_delete: 422, outside the recorded
  // exchanges (the harness holds every recorded answer to the operation's documented statuses).
  const badCascade = await fetch(`${h.emulator.url}/authorization/resources/${first.body.id}?cascade_delete=yes`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${h.emulator.apiKey}` },
  });
  assert.equal(badCascade.status, 422, 'a malformed flag is refused, not ignored');
  h.assertConformant();
});

test('an inactive membership has no access; another organization cannot be reached', async () => {
  const w = h.workos as any;
  const ws = await w.authorization.createResource({
    organizationId: orgId,
    resourceTypeSlug: 'workspace',
    externalId: 'ws-3',
    name: 'Ops',
  });
  await w.authorization.assignRole({ organizationMembershipId: bobOm, roleSlug: 'workspace-admin', resourceId: ws.id });
  assert.equal(
    (
      await w.authorization.check({
        organizationMembershipId: bobOm,
        permissionSlug: 'workspace:read',
        resourceId: ws.id,
      })
    ).authorized,
    true,
  );
  await w.userManagement.deactivateOrganizationMembership(bobOm);
  assert.equal(
    (
      await w.authorization.check({
        organizationMembershipId: bobOm,
        permissionSlug: 'workspace:read',
        resourceId: ws.id,
      })
    ).authorized,
    false,
  );
  await w.userManagement.reactivateOrganizationMembership(bobOm);
  const foreign = await w.authorization.createResource({
    organizationId: otherOrg,
    resourceTypeSlug: 'workspace',
    externalId: 'ws-3',
    name: 'Theirs',
  });
  const res = await h.request('POST', `/authorization/organization_memberships/${bobOm}/check`, {
    body: { permission_slug: 'workspace:read', resource_id: foreign.id },
  });
  assert.equal(res.status, 404);
  const neither = await h.request('POST', `/authorization/organization_memberships/${bobOm}/check`, {
    body: { permission_slug: 'workspace:read' },
  });
  assert.equal(neither.status, 422);
  h.assertConformant();
});
