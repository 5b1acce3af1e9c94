// Custom roles in WorkOS mode, over HTTP against a started Gatehouse with the emulator (WorkOS
// through the unmodified SDK, webhooks delivered to Gatehouse): a custom role made in Gatehouse is
// an organization role at WorkOS, so inviting with it, accepting, and changing a member to it work,
// and the member's AuthContext (/api/v1/me) carries the role's permissions after each step. A
// refusal by WorkOS leaves nothing written; the ceiling still applies; every role the members page
// offers can be assigned.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkOS } from '@workos-inc/node';
import { createWorkosOrganizationAdmin } from '../../src/identity/workos/workos-organization-admin.ts';
import { reconcileProviderRoles } from '../../src/organizations/provider-roles.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { sdkFor, signInThroughEmulator } from '../support/emulator-sign-in.ts';
import { startGatehouseServer, type GatehouseServer } from '../support/gatehouse-server.ts';

const BILLING = ['audit:read', 'members:read'];

describe('custom roles are WorkOS organization roles', () => {
  let world: GatehouseServer;
  let workos: WorkOS;
  let acme: string;
  let alice: string;

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${world.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const tokenFor = async (email: string) => (await signInThroughEmulator(world.emulator, email, 'Globex')).accessToken;
  /** Polls /me until the mirror shows `role` (webhooks are asynchronous), then answers what it says. */
  const meWithRole = async (token: string, role: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const me = await api(token, 'GET', '/me');
      if (me.status === 200 && me.body.role === role) return me.body as { role: string; permissions: string[] };
      if (Date.now() > deadline) assert.fail(`/me still says ${JSON.stringify(me.body)}, expected role ${role}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const membershipOf = (email: string) =>
    inTenant(world.gatehouse.store.db, acme, (tx) =>
      tx
        .selectFrom('organization_memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.id', 'm.role_slug'])
        .where('m.organization_id', '=', acme)
        .where('u.email', '=', email)
        .where('m.deleted_at', 'is', null)
        .executeTakeFirst(),
    );
  const workosRoles = async () =>
    (await workos.authorization.listOrganizationRoles(acme)).data
      .filter((r) => r.type === 'OrganizationRole')
      .map((r) => r.slug);

  before(async () => {
    world = await startGatehouseServer();
    workos = sdkFor(world.emulator);
    acme = world.org('Globex');
    alice = await tokenFor('grace@globex.test');
  });
  after(async () => {
    await world?.close();
  });

  it('creates the role at WorkOS, audited; a twin slug is refused', async () => {
    const created = await api(alice, 'POST', `/organizations/${acme}/roles`, {
      slug: 'billing',
      name: 'Billing',
      permissions: BILLING,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.ok((await workosRoles()).includes('org-billing'), 'WorkOS has the organization role');
    const audit = await inTenant(world.gatehouse.store.db, acme, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('data')
        .where('organization_id', '=', acme)
        .where('type', '=', 'role.created')
        .where('target_id', '=', 'billing')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(audit.data.providerSlug, 'org-billing');
    const twin = await api(alice, 'POST', `/organizations/${acme}/roles`, {
      slug: 'org-billing',
      name: 'Twin',
      permissions: [],
    });
    assert.equal(twin.status, 409);
    assert.equal(twin.body.code, 'ROLE_EXISTS');
  });

  it('leaves nothing written when WorkOS refuses the role', async () => {
    const res = await api(alice, 'POST', `/organizations/${acme}/roles`, {
      slug: 'verbose',
      name: 'A role name far longer than the forty-eight characters WorkOS takes',
      permissions: ['members:read'],
    });
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.code, 'PROVIDER_INVALID_REQUEST');
    const roles = await api(alice, 'GET', `/organizations/${acme}/roles`);
    assert.ok(!roles.body.data.some((r: { slug: string }) => r.slug === 'verbose'), 'not created locally');
    assert.ok(!(await workosRoles()).includes('org-verbose'), 'not at WorkOS');
    const tooLong = await api(alice, 'POST', `/organizations/${acme}/roles`, {
      slug: `r${'x'.repeat(44)}`,
      name: 'Long',
      permissions: [],
    });
    assert.equal(tooLong.status, 422);
    assert.equal(tooLong.body.code, 'ROLE_SLUG_TOO_LONG');
  });

  it('invites with the custom role; once accepted at WorkOS the member holds its permissions', async () => {
    const invited = await api(alice, 'POST', `/organizations/${acme}/invitations`, {
      email: 'carol@globex.test',
      role: 'billing',
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const accepted = await workos.userManagement.acceptInvitation(invited.body.id);
    assert.equal(accepted.state, 'accepted');
    const carol = await tokenFor('carol@globex.test');
    const me = await meWithRole(carol, 'billing');
    assert.deepEqual([...me.permissions].sort(), BILLING);
    const atWorkos = [...world.emulator.world.memberships.values()].find(
      (m) => m.organization_id === acme && m.user_id === accepted.acceptedUserId,
    );
    assert.deepEqual(
      atWorkos?.roles.map((r) => r.slug),
      ['org-billing'],
    );
  });

  it("changes a member to the custom role and the member's permissions follow", async () => {
    const bob = await tokenFor('sam@globex.test');
    const before_ = await meWithRole(bob, 'admin');
    assert.ok(before_.permissions.includes('members:manage'));
    const bobMembership = (await membershipOf('sam@globex.test'))!;
    const changed = await api(alice, 'PATCH', `/organizations/${acme}/members/${bobMembership.id}`, {
      role: 'billing',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.role, 'billing');
    const me = await meWithRole(bob, 'billing');
    assert.deepEqual([...me.permissions].sort(), BILLING, 'admin permissions are gone');
    await world.webhooksIdle();
    assert.equal((await membershipOf('sam@globex.test'))!.role_slug, 'billing', 'the webhook kept the role');
  });

  it('a role made before WorkOS knew it is created there on first use, audited', async () => {
    await inTenant(world.gatehouse.store.db, acme, (tx) =>
      tx
        .insertInto('organization_roles')
        .values({ organization_id: acme, slug: 'legacy', name: 'Legacy', description: '', permissions: BILLING })
        .execute(),
    );
    const carol = (await membershipOf('carol@globex.test'))!;
    const changed = await api(alice, 'PATCH', `/organizations/${acme}/members/${carol.id}`, { role: 'legacy' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.ok((await workosRoles()).includes('org-legacy'));
    const entry = await inTenant(world.gatehouse.store.db, acme, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('type')
        .where('organization_id', '=', acme)
        .where('type', '=', 'role.provider_created')
        .where('target_id', '=', 'legacy')
        .executeTakeFirst(),
    );
    assert.ok(entry, 'audited');
    await meWithRole(await tokenFor('carol@globex.test'), 'legacy');
  });

  it('the ceiling still applies to custom roles', async () => {
    const people = await api(alice, 'POST', `/organizations/${acme}/roles`, {
      slug: 'people',
      name: 'People',
      permissions: ['members:read', 'members:manage'],
    });
    assert.equal(people.status, 201);
    const bobMembership = (await membershipOf('sam@globex.test'))!;
    assert.equal(
      (await api(alice, 'PATCH', `/organizations/${acme}/members/${bobMembership.id}`, { role: 'people' })).status,
      200,
    );
    const bob = await tokenFor('sam@globex.test');
    const me = await meWithRole(bob, 'people');
    assert.deepEqual([...me.permissions].sort(), ['members:manage', 'members:read']);
    const beyond = await api(bob, 'POST', `/organizations/${acme}/invitations`, {
      email: 'dave@globex.test',
      role: 'billing',
    });
    assert.equal(beyond.status, 403);
    assert.equal(beyond.body.code, 'AUTH_PERMISSION_CEILING');
    const within = await api(bob, 'POST', `/organizations/${acme}/invitations`, {
      email: 'dave@globex.test',
      role: 'people',
    });
    assert.equal(within.status, 201, JSON.stringify(within.body));
  });

  it('every role the members page offers can be assigned, and /me follows', async () => {
    const offered = (await api(alice, 'GET', `/organizations/${acme}/roles`)).body.data as {
      slug: string;
      permissions: string[];
    }[];
    assert.ok(offered.length >= 5, offered.map((r) => r.slug).join());
    const carolToken = await tokenFor('carol@globex.test');
    for (const role of offered) {
      const carol = (await membershipOf('carol@globex.test'))!;
      const res = await api(alice, 'PATCH', `/organizations/${acme}/members/${carol.id}`, { role: role.slug });
      assert.equal(res.status, 200, `${role.slug}: ${JSON.stringify(res.body)}`);
      const me = await meWithRole(carolToken, role.slug);
      assert.deepEqual([...me.permissions].sort(), [...role.permissions].sort(), role.slug);
    }
  });

  it('renames and deletes the role at WorkOS too', async () => {
    const renamed = await api(alice, 'PATCH', `/organizations/${acme}/roles/billing`, { name: 'Billing team' });
    assert.equal(renamed.status, 200);
    const atWorkos = await workos.authorization.getOrganizationRole(acme, 'org-billing');
    assert.equal(atWorkos.name, 'Billing team');
    const bobMembership = (await membershipOf('sam@globex.test'))!;
    await api(alice, 'PATCH', `/organizations/${acme}/members/${bobMembership.id}`, { role: 'member' });
    const deleted = await api(alice, 'DELETE', `/organizations/${acme}/roles/billing`);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.ok(!(await workosRoles()).includes('org-billing'));
  });

  it('reconciliation creates the custom roles WorkOS lacks, once', async () => {
    await inTenant(world.gatehouse.store.db, acme, (tx) =>
      tx
        .insertInto('organization_roles')
        .values({ organization_id: acme, slug: 'orphan', name: 'Orphan', description: '', permissions: [] })
        .execute(),
    );
    const admin = createWorkosOrganizationAdmin({
      apiKey: world.emulator.apiKey,
      clientId: world.emulator.clientId,
      apiHostname: '127.0.0.1',
      port: world.emulator.port,
      https: false,
    });
    const first = await reconcileProviderRoles(world.gatehouse.store.db, admin);
    assert.equal(first.created, 1);
    assert.ok((await workosRoles()).includes('org-orphan'));
    const again = await reconcileProviderRoles(world.gatehouse.store.db, admin);
    assert.deepEqual(again, { created: 0, checked: first.checked });
  });
});
