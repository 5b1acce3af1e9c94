// Organizations, domains, roles and permissions, memberships and invitations through the SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundException, UnprocessableEntityException } from '@workos-inc/node';

const isConflict = (e: any) => e.status === 409;
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

test('organizations: CRUD, external id, domain data, list by domain, conflicts', async () => {
  const { organizations } = h.workos;
  const org = await organizations.createOrganization({
    name: 'Initech',
    externalId: 'initech',
    domainData: [{ domain: 'initech.test', state: 'verified' as never }],
    metadata: { tier: 'gold' },
  });
  assert.match(org.id, /^org_01/);
  assert.equal(org.domains[0]?.domain, 'initech.test');
  assert.equal(org.domains[0]?.state, 'verified');
  assert.equal((await organizations.getOrganization(org.id)).name, 'Initech');
  assert.equal((await organizations.getOrganizationByExternalId('initech')).id, org.id);
  await organizations.createOrganization({ name: 'Other' });
  const byDomain = await organizations.listOrganizations({ domains: ['initech.test'] });
  assert.deepEqual(
    byDomain.data.map((o) => o.id),
    [org.id],
  );
  const updated = await organizations.updateOrganization({
    organization: org.id,
    name: 'Initech Corp',
    domainData: [
      { domain: 'initech.test', state: 'verified' as never },
      { domain: 'initech2.test', state: 'pending' as never },
    ],
  });
  assert.equal(updated.name, 'Initech Corp');
  assert.deepEqual(updated.domains.map((d) => `${d.domain}:${d.state}`).sort(), [
    'initech.test:verified',
    'initech2.test:pending',
  ]);
  await assert.rejects(
    organizations.createOrganization({ name: 'Clash', externalId: 'initech' }),
    (e: any) => e.status === 400,
  );
  await assert.rejects(organizations.createOrganization({ name: '' }), UnprocessableEntityException);
  const dir = await h.control('POST', '/directories', { organization_id: org.id });
  const conn = await h.control('POST', '/connections', { organization_id: org.id });
  await organizations.deleteOrganization(org.id);
  await assert.rejects(organizations.getOrganization(org.id), NotFoundException);
  // What hung off the organization goes with it, each removal announced.
  await assert.rejects(h.workos.directorySync.getDirectory(dir.directory.id), NotFoundException);
  await assert.rejects(h.workos.sso.getConnection(conn.id), NotFoundException);
  const tail = h.emulator.world.events.slice(-3).map((e) => e.event);
  assert.deepEqual(tail, ['connection.deleted', 'dsync.deleted', 'organization.deleted']);
  h.assertConformant();
});

test('organization domains: create pending, verify, get, delete; unverifiable domains fail', async () => {
  const org = await h.workos.organizations.createOrganization({ name: 'Domains Inc' });
  const domain = await h.workos.organizationDomains.createOrganizationDomain({
    organizationId: org.id,
    domain: 'domains.test',
  });
  assert.equal(domain.state, 'pending');
  assert.ok(domain.verificationToken);
  const verified = await h.workos.organizationDomains.verifyOrganizationDomain(domain.id);
  assert.equal(verified.state, 'verified');
  assert.equal((await h.workos.organizationDomains.getOrganizationDomain(domain.id)).state, 'verified');
  await assert.rejects(
    h.workos.organizationDomains.createOrganizationDomain({ organizationId: org.id, domain: 'domains.test' }),
    isConflict,
  );
  const bad = await h.workos.organizationDomains.createOrganizationDomain({
    organizationId: org.id,
    domain: 'unverifiable.test',
  });
  assert.equal((await h.workos.organizationDomains.verifyOrganizationDomain(bad.id)).state, 'failed');
  await h.workos.organizationDomains.deleteOrganizationDomain(domain.id);
  await assert.rejects(h.workos.organizationDomains.getOrganizationDomain(domain.id), NotFoundException);
  const types = h.emulator.world.events.map((e) => e.event);
  for (const t of [
    'organization_domain.created',
    'organization_domain.verified',
    'organization_domain.verification_failed',
    'organization_domain.deleted',
  ])
    assert.ok(types.includes(t), t);
  h.assertConformant();
});

test('roles and permissions: environment roles, organization roles (org-*), permission sets', async () => {
  const { authorization } = h.workos;
  const env = await authorization.listEnvironmentRoles();
  assert.deepEqual(
    env.data.map((r) => r.slug),
    ['admin', 'member'],
  );
  await authorization.createPermission({ slug: 'reports:read', name: 'Read reports' });
  await authorization.createPermission({ slug: 'reports:write', name: 'Write reports' });
  assert.equal((await authorization.getPermission('reports:read')).name, 'Read reports');
  assert.equal((await authorization.listPermissions()).data.length, 2);
  await authorization.updatePermission('reports:write', { name: 'Edit reports' });
  const envRole = await authorization.createEnvironmentRole({ slug: 'viewer', name: 'Viewer' });
  assert.equal(envRole.type, 'EnvironmentRole');
  await authorization.setEnvironmentRolePermissions('viewer', { permissions: ['reports:read'] });
  const withAdded = await authorization.addEnvironmentRolePermission('viewer', { permissionSlug: 'reports:write' });
  assert.deepEqual(withAdded.permissions, ['reports:read', 'reports:write']);
  await assert.rejects(authorization.createEnvironmentRole({ slug: 'viewer', name: 'Again' }), isConflict);
  assert.equal(
    (await authorization.updateEnvironmentRole('viewer', { name: 'Viewers', description: 'Read-only' })).description,
    'Read-only',
  );

  const org = await h.workos.organizations.createOrganization({ name: 'Roles Org' });
  const orgRole = await authorization.createOrganizationRole(org.id, { slug: 'org-billing', name: 'Billing' });
  assert.equal(orgRole.type, 'OrganizationRole');
  await authorization.setOrganizationRolePermissions(org.id, 'org-billing', { permissions: ['reports:read'] });
  await authorization.addOrganizationRolePermission(org.id, 'org-billing', { permissionSlug: 'reports:write' });
  await authorization.removeOrganizationRolePermission(org.id, 'org-billing', { permissionSlug: 'reports:read' });
  assert.deepEqual((await authorization.getOrganizationRole(org.id, 'org-billing')).permissions, ['reports:write']);
  await authorization.updateOrganizationRole(org.id, 'org-billing', { name: 'Billing admins' });
  const listed = await authorization.listOrganizationRoles(org.id);
  assert.deepEqual(
    listed.data.map((r) => r.slug),
    ['admin', 'member', 'viewer', 'org-billing'],
  );
  await assert.rejects(
    authorization.createOrganizationRole(org.id, { slug: 'billing', name: 'No prefix' }),
    UnprocessableEntityException,
  );
  await authorization.deleteOrganizationRole(org.id, 'org-billing');
  await authorization.deletePermission('reports:write');
  assert.deepEqual((await authorization.getEnvironmentRole('viewer')).permissions, ['reports:read']);
  h.assertConformant();
});

test('memberships: create with a role, list by status, update, deactivate, reactivate, delete', async () => {
  const um = h.workos.userManagement;
  const org = await h.workos.organizations.createOrganization({ name: 'Members Co' });
  const user = await um.createUser({ email: 'member@members.test' });
  const m = await um.createOrganizationMembership({ organizationId: org.id, userId: user.id, roleSlug: 'admin' });
  assert.equal(m.status, 'active');
  assert.equal(m.role.slug, 'admin');
  assert.equal(m.organizationName, 'Members Co');
  assert.equal((await um.getOrganizationMembership(m.id)).userId, user.id);
  await assert.rejects(
    um.createOrganizationMembership({ organizationId: org.id, userId: user.id }),
    UnprocessableEntityException,
  );
  await assert.rejects(
    um.createOrganizationMembership({ organizationId: org.id, userId: user.id, roleSlug: 'nope' }),
    UnprocessableEntityException,
  );
  assert.equal((await um.updateOrganizationMembership(m.id, { roleSlug: 'member' })).role.slug, 'member');
  assert.equal((await um.deactivateOrganizationMembership(m.id)).status, 'inactive');
  assert.equal((await um.listOrganizationMemberships({ organizationId: org.id, statuses: ['active'] })).data.length, 0);
  assert.equal((await um.listOrganizationMemberships({ userId: user.id, statuses: ['inactive'] })).data.length, 1);
  assert.equal((await um.reactivateOrganizationMembership(m.id)).status, 'active');
  const inOrg = await um.listUsers({ organizationId: org.id });
  assert.deepEqual(
    inOrg.data.map((u) => u.id),
    [user.id],
  );
  const missingFilter = await h.request('GET', '/user_management/organization_memberships');
  assert.equal(missingFilter.status, 400);
  await um.deleteOrganizationMembership(m.id);
  await assert.rejects(um.getOrganizationMembership(m.id), NotFoundException);
  h.assertConformant();
});

test('invitations: send with a role, get, by token, list, resend, revoke, accept, expire', async () => {
  const um = h.workos.userManagement;
  const org = await h.workos.organizations.createOrganization({ name: 'Invites Ltd' });
  const inviter = await um.createUser({ email: 'boss@invites.test' });
  const inv = await um.sendInvitation({
    email: 'new@invites.test',
    organizationId: org.id,
    roleSlug: 'admin',
    inviterUserId: inviter.id,
  });
  assert.equal(inv.state, 'pending');
  // The SDK does not deserialize role_slug; the wire carries it (and the spec validates it).
  assert.equal(h.emulator.world.invitations.get(inv.id)?.role_slug, 'admin');
  assert.ok(inv.acceptInvitationUrl.includes(inv.token));
  assert.equal(h.emulator.world.outbox.findLast((m) => m.kind === 'invitation')?.data.token, inv.token);
  assert.equal((await um.getInvitation(inv.id)).email, 'new@invites.test');
  assert.equal((await um.findInvitationByToken(inv.token)).id, inv.id);
  assert.equal((await um.listInvitations({ organizationId: org.id })).data.length, 1);
  await assert.rejects(
    um.sendInvitation({ email: 'new@invites.test', organizationId: org.id }),
    (e: any) => e.status === 400,
  );
  assert.equal((await um.resendInvitation(inv.id)).state, 'pending');
  const accepted = await um.acceptInvitation(inv.id);
  assert.equal(accepted.state, 'accepted');
  const memberships = await um.listOrganizationMemberships({ organizationId: org.id });
  assert.equal(memberships.data[0]?.role.slug, 'admin');
  await assert.rejects(um.revokeInvitation(inv.id), (e: any) => e.status === 400);

  const second = await um.sendInvitation({ email: 'later@invites.test', organizationId: org.id });
  assert.equal((await um.revokeInvitation(second.id)).state, 'revoked');
  await assert.rejects(um.resendInvitation(second.id), (e: any) => e.status === 400);

  const third = await um.sendInvitation({ email: 'slow@invites.test', expiresInDays: 1 });
  await h.control('POST', '/clock', { advance_ms: 2 * 24 * 3600 * 1000 });
  assert.equal((await um.getInvitation(third.id)).state, 'expired');
  await assert.rejects(um.acceptInvitation(third.id), (e: any) => e.status === 400);
  await h.control('POST', '/clock', { offset_ms: 0 });
  h.assertConformant();
});

test('every event this suite made WorkOS announce matches the spec', async () => {
  assert.ok((await h.assertEventsConformant()) > 0);
});
