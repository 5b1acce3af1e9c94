// Directory group mappings agree with WorkOS: a mapped role is written to WorkOS (the emulator, a
// real SCIM directory) through the organization-admin port, so WorkOS's membership events, an
// Events API catch-up and `reconcile --full` converge on it instead of undoing it; a role set at
// WorkOS behind the mapping's back is put back. Removing mappings never demotes someone whose role
// was set by hand and never leaves the organization without an admin. Each chance to undo the
// mapping or demote wrongly is counted; the figure printed is how many got through.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scimClient } from '../../emulator/scim/testing.ts';
import { operatorGranter } from '../../src/access/ceiling.ts';
import { parseConfig } from '../../src/config.ts';
import { createDirectorySync, type DirectorySync } from '../../src/directory/directory-sync-service.ts';
import { setGroupRoleMapping } from '../../src/directory/group-role-mappings.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { openCeilingWorld, seedOrg, type CeilingWorld, type SeededOrg } from '../support/ceiling-world.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { api } from '../webhooks/scim-workload.ts';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';

describe('directory group mappings converge with WorkOS', () => {
  let store: Store;
  let world: CeilingWorld;
  let sync: DirectorySync;
  let org: SeededOrg;
  let engGroup: string;

  before(async () => {
    store = await openPgliteTestStore();
    world = await openCeilingWorld(store);
    const emu = world.emulator;
    const env = {
      WORKOS_API_KEY: emu.apiKey,
      WORKOS_CLIENT_ID: emu.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emu.port),
      WORKOS_API_HTTPS: 'false',
    };
    sync = createDirectorySync(parseConfig(env), {
      db: store.db,
      engine: 'pglite',
      logger: createLogger('silent'),
      access: world.access,
    });
    // ada: the admin who maps; kim: admin, in group eng; bob: member, in group ops.
    org = await seedOrg(world, { roles: {}, people: ['admin', 'admin', 'member'], grouped: [] });
    const created = await api(emu, 'POST', '/_emulator/directories', {
      organization_id: org.id,
      type: 'okta scim v2.0',
    });
    const scim = scimClient(
      (url, init) => fetch(url, init),
      `${emu.url}/scim/v2/${created.directory.id}`,
      created.scim_token,
    );
    const scimUser = async (email: string) =>
      (
        await scim.post('/Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: email,
          active: true,
          name: { givenName: email.split('@')[0], familyName: 'Dir' },
          emails: [{ value: email, primary: true, type: 'work' }],
        })
      ).body.id as string;
    const kim = await scimUser(org.people[1]!.email);
    const bob = await scimUser(org.people[2]!.email);
    const group = async (name: string, members: string[]) =>
      (
        await scim.post('/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: name,
          members: members.map((value) => ({ value })),
        })
      ).body.id as string;
    await group('eng', [kim]);
    await group('ops', [bob]);
    await sync.reconcile();
    const groups = await asSystem(store.db, 'test reads', (tx) =>
      tx
        .selectFrom('directory_groups')
        .select(['id', 'name'])
        .where('organization_id', '=', org.id)
        .where('directory_id', '=', created.directory.id)
        .execute(),
    );
    engGroup = groups.find((g) => g.name === 'eng')!.id;
  });
  after(async () => {
    sync?.close();
    await world?.close();
    await store?.close();
  });

  const mirrorRole = async (i: number) =>
    (
      await asSystem(store.db, 'test reads', (tx) =>
        tx
          .selectFrom('organization_memberships')
          .select('role_slug')
          .where('id', '=', org.people[i]!.membershipId)
          .executeTakeFirstOrThrow(),
      )
    ).role_slug;
  const workosRole = async (i: number) =>
    (await world.workos.userManagement.getOrganizationMembership(org.people[i]!.membershipId)).role.slug;

  it('a mapping that lowers a role is written to WorkOS and survives events and full reconciles', async () => {
    const [ada] = org.people;
    const tries: Array<[string, () => Promise<boolean>]> = [];
    // Bob's role is set by hand first: a mapping that does not cover him must leave it alone.
    assert.equal(
      (
        await world.call(
          ada!.cookie,
          'PATCH',
          `/api/v1/organizations/${org.id}/members/${org.people[2]!.membershipId}`,
          { role: 'admin' },
        )
      ).status,
      200,
    );
    await world.mirrorMembership(org.people[2]!.membershipId);
    assert.equal(
      (
        await world.call(
          ada!.cookie,
          'PUT',
          `/api/v1/organizations/${org.id}/directory-groups/${engGroup}/role-mapping`,
          { role: 'member', priority: 1 },
        )
      ).status,
      204,
    );
    const kimLowered = async () => (await mirrorRole(1)) !== 'member' || (await workosRole(1)) !== 'member';
    tries.push(['the mapping itself', kimLowered]);
    tries.push(['bob, set by hand, while a mapping exists', async () => (await mirrorRole(2)) !== 'admin']);
    tries.push([
      'WorkOS membership event',
      async () => {
        await world.mirrorMembership(org.people[1]!.membershipId);
        return kimLowered();
      },
    ]);
    tries.push([
      'Events API catch-up',
      async () => {
        await sync.reconcile();
        return kimLowered();
      },
    ]);
    tries.push([
      'reconcile --full',
      async () => {
        await sync.reconcile({ full: true });
        return kimLowered();
      },
    ]);
    tries.push([
      'role changed at WorkOS behind the mapping, then its event',
      async () => {
        await world.workos.userManagement.updateOrganizationMembership(org.people[1]!.membershipId, {
          roleSlug: 'admin',
        });
        await sync.reconcile();
        return kimLowered();
      },
    ]);
    tries.push([
      'reconcile --full after that',
      async () => {
        await sync.reconcile({ full: true });
        return kimLowered();
      },
    ]);
    tries.push([
      'removing the last mapping demotes bob (set by hand)',
      async () => {
        assert.equal(
          (
            await world.call(
              ada!.cookie,
              'DELETE',
              `/api/v1/organizations/${org.id}/directory-groups/${engGroup}/role-mapping`,
            )
          ).status,
          204,
        );
        return (await mirrorRole(2)) !== 'admin';
      },
    ]);
    tries.push(['kim gets back the role held before the mapping', async () => (await mirrorRole(1)) !== 'admin']);
    let undone = 0;
    for (const [name, undo] of tries) if (await undo()) undone++, assert.fail(`undone: ${name}`);
    console.log(`group mappings agree with WorkOS: tried ${tries.length} accepted ${undone}`);
    const source = await asSystem(store.db, 'test reads', (tx) =>
      tx
        .selectFrom('organization_memberships')
        .select(['id', 'role_source'])
        .where('organization_id', '=', org.id)
        .execute(),
    );
    assert.equal(source.find((m) => m.id === org.people[2]!.membershipId)?.role_source, 'manual');
  });

  it('removing the last mapping never leaves the organization without an admin', async () => {
    const mgr = ['organization:read', 'members:read', 'roles:manage'];
    const small = await seedOrg(world, { roles: { mgr }, people: ['mgr', 'member'], grouped: [1] });
    // The operator maps the group to admin: carl becomes the organization's only admin.
    await setGroupRoleMapping(
      store.db,
      world.access,
      small.id,
      { directoryGroupId: small.groupId, roleSlug: 'admin', priority: 1 },
      operatorGranter({ type: 'system', id: null }, createPermissionCatalogue()),
    );
    const carl = async () =>
      (
        await asSystem(store.db, 'test reads', (tx) =>
          tx
            .selectFrom('organization_memberships')
            .select('role_slug')
            .where('id', '=', small.people[1]!.membershipId)
            .executeTakeFirstOrThrow(),
        )
      ).role_slug;
    assert.equal(await carl(), 'admin');
    assert.equal(
      (
        await world.call(
          small.people[0]!.cookie,
          'DELETE',
          `/api/v1/organizations/${small.id}/directory-groups/${small.groupId}/role-mapping`,
        )
      ).status,
      204,
    );
    const demoted = (await carl()) !== 'admin' ? 1 : 0;
    console.log(`last admin kept when the last mapping goes: tried 1 accepted ${demoted}`);
    assert.equal(demoted, 0);
    const skipped = await inTenant(store.db, small.id, (tx) =>
      tx.selectFrom('audit_events').select('data').where('type', '=', 'directory.role_change_skipped').execute(),
    );
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]!.data.reason, 'last_admin');
  });
});
