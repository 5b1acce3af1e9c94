// Hand-picked escalation attempts, through the API and the admin pages with real sessions, each
// refused; the figure printed is how many were tried and how many got through.
//   Roles raising themselves: a custom role with roles:manage widening itself, a members:manage
//   holder making themself or an invitee admin, a mapping or API key above its author.
//   Super-admin: a plain member of the super-admin organization, entering by GET, entering from
//   another site.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { openCeilingWorld, seedOrg, type CeilingWorld, type SeededOrg } from '../support/ceiling-world.ts';
import { openPgliteTestStore } from '../support/stores.ts';

interface Attempt {
  name: string;
  run(): Promise<{ status: number; body: any }>;
  status: number;
  code?: string;
}

async function tryAll(label: string, attempts: Attempt[]): Promise<number> {
  let accepted = 0;
  for (const a of attempts) {
    const r = await a.run();
    if (r.status < 300) accepted++;
    assert.equal(r.status, a.status, `${a.name}: ${JSON.stringify(r.body).slice(0, 300)}`);
    if (a.code) assert.equal(r.body.code, a.code, a.name);
  }
  console.log(`${label}: tried ${attempts.length} accepted ${accepted}`);
  return accepted;
}

describe('escalation attempts (table)', () => {
  let store: Store;
  let world: CeilingWorld;
  let org: SeededOrg;
  const roles = {
    rolemgr: ['organization:read', 'members:read', 'roles:manage'],
    membermgr: ['organization:read', 'members:read', 'members:manage'],
    keymgr: ['organization:read', 'members:read', 'api_keys:manage'],
  };
  before(async () => {
    store = await openPgliteTestStore();
    world = await openCeilingWorld(store);
    org = await seedOrg(world, { roles, people: ['admin', 'rolemgr', 'membermgr', 'keymgr', 'member'], grouped: [4] });
  });
  after(async () => {
    await world?.close();
    await store?.close();
  });

  const snapshot = async () =>
    asSystem(store.db, 'test reads', async (tx) => ({
      roles: await tx
        .selectFrom('organization_roles')
        .select(['slug', 'permissions'])
        .where('organization_id', '=', org.id)
        .orderBy('slug')
        .execute(),
      members: await tx
        .selectFrom('organization_memberships')
        .select(['id', 'role_slug'])
        .where('organization_id', '=', org.id)
        .orderBy('id')
        .execute(),
      invitations: await tx.selectFrom('invitations').select('id').where('organization_id', '=', org.id).execute(),
      keys: await tx.selectFrom('api_keys').select('id').where('organization_id', '=', org.id).execute(),
      mappings: await tx
        .selectFrom('directory_group_role_mappings')
        .select('role_slug')
        .where('organization_id', '=', org.id)
        .execute(),
    }));

  it('refuses every path by which a role could raise itself or grant beyond its holder, and audits each refusal', async () => {
    const [admin, rolemgr, membermgr, keymgr, member] = org.people as [
      (typeof org.people)[0],
      (typeof org.people)[0],
      (typeof org.people)[0],
      (typeof org.people)[0],
      (typeof org.people)[0],
    ];
    const api = `/api/v1/organizations/${org.id}`;
    const page = `/admin/orgs/${org.id}`;
    const before = await snapshot();
    const ceiling = { status: 403, code: 'AUTH_PERMISSION_CEILING' };
    const escalation = { status: 403, code: 'AUTH_ROLE_ESCALATION' };
    const attempts: Attempt[] = [
      {
        name: 'roles:manage widens its own role to everything',
        run: () => world.call(rolemgr.cookie, 'PATCH', `${api}/roles/rolemgr`, { permissions: ALL_PERMISSIONS }),
        ...escalation,
      },
      {
        name: 'roles:manage adds one permission to its own role',
        run: () =>
          world.call(rolemgr.cookie, 'PATCH', `${api}/roles/rolemgr`, {
            permissions: [...roles.rolemgr, 'audit:read'],
          }),
        ...escalation,
      },
      {
        name: 'roles:manage creates a role with a permission it lacks',
        run: () =>
          world.call(rolemgr.cookie, 'POST', `${api}/roles`, {
            slug: 'auditor',
            name: 'Auditor',
            permissions: ['audit:read'],
          }),
        ...ceiling,
      },
      {
        name: 'roles:manage widens another role beyond itself',
        run: () =>
          world.call(rolemgr.cookie, 'PATCH', `${api}/roles/keymgr`, { permissions: [...roles.keymgr, 'sso:manage'] }),
        ...ceiling,
      },
      {
        name: 'roles:manage maps a directory group to admin',
        run: () =>
          world.call(rolemgr.cookie, 'PUT', `${api}/directory-groups/${org.groupId}/role-mapping`, { role: 'admin' }),
        ...ceiling,
      },
      {
        name: 'members:manage makes itself admin',
        run: () => world.call(membermgr.cookie, 'PATCH', `${api}/members/${membermgr.membershipId}`, { role: 'admin' }),
        ...escalation,
      },
      {
        name: 'members:manage changes its own role downward',
        run: () =>
          world.call(membermgr.cookie, 'PATCH', `${api}/members/${membermgr.membershipId}`, { role: 'member' }),
        ...escalation,
      },
      {
        name: 'members:manage makes a member admin',
        run: () => world.call(membermgr.cookie, 'PATCH', `${api}/members/${member.membershipId}`, { role: 'admin' }),
        ...ceiling,
      },
      {
        name: 'members:manage gives a member the roles:manage role',
        run: () => world.call(membermgr.cookie, 'PATCH', `${api}/members/${member.membershipId}`, { role: 'rolemgr' }),
        ...ceiling,
      },
      {
        name: 'members:manage demotes an admin who outranks it',
        run: () => world.call(membermgr.cookie, 'PATCH', `${api}/members/${admin.membershipId}`, { role: 'member' }),
        ...ceiling,
      },
      {
        name: 'members:manage invites an outsider as admin',
        run: () =>
          world.call(membermgr.cookie, 'POST', `${api}/invitations`, { email: 'outsider@evil.test', role: 'admin' }),
        ...ceiling,
      },
      {
        name: 'api_keys:manage mints an admin key',
        run: () => world.call(keymgr.cookie, 'POST', `${api}/api-keys`, { name: 'god', role: 'admin' }),
        status: 403,
        code: 'AUTH_API_KEY_ROLE_TOO_HIGH',
      },
      {
        name: 'api_keys:manage mints a key with members:manage',
        run: () => world.call(keymgr.cookie, 'POST', `${api}/api-keys`, { name: 'mm', role: 'membermgr' }),
        status: 403,
        code: 'AUTH_API_KEY_ROLE_TOO_HIGH',
      },
      {
        name: 'page: roles:manage creates a role with audit:read',
        run: () =>
          world.form(rolemgr.cookie, `${page}/roles/create`, {
            slug: 'auditor',
            name: 'Auditor',
            'perm:audit:read': 'on',
          }),
        status: 403,
      },
      {
        name: 'page: roles:manage maps a group to admin',
        run: () =>
          world.form(rolemgr.cookie, `${page}/roles/map`, { groupId: org.groupId, role: 'admin', priority: '1' }),
        status: 403,
      },
      {
        name: 'page: members:manage makes itself admin',
        run: () =>
          world.form(membermgr.cookie, `${page}/members/role`, { membershipId: membermgr.membershipId, role: 'admin' }),
        status: 403,
      },
      {
        name: 'page: members:manage invites an admin',
        run: () =>
          world.form(membermgr.cookie, `${page}/members/invite`, { email: 'outsider@evil.test', role: 'admin' }),
        status: 403,
      },
      {
        name: 'page: api_keys:manage mints an admin key',
        run: () =>
          world.form(keymgr.cookie, `${page}/api-keys/create`, {
            name: 'god',
            role: 'admin',
            ownership: 'organization',
            expiresInDays: '7',
          }),
        status: 403,
      },
      {
        name: 'a member provisions a tenant (super-admins only)',
        run: () =>
          world.call(member.cookie, 'POST', '/api/v1/admin/organizations', {
            name: 'Mine',
            adminEmail: 'me@evil.test',
          }),
        status: 404,
      },
    ];
    assert.equal(await tryAll('permission ceiling', attempts), 0);
    assert.deepEqual(await snapshot(), before, 'nothing changed');
    const refused = await inTenant(store.db, org.id, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['data', 'actor_id'])
        .where('type', '=', 'access.escalation_refused')
        .execute(),
    );
    assert.equal(refused.length, attempts.length - 1, 'every refused grant is in the audit trail');
    assert.ok(refused.every((e) => [rolemgr, membermgr, keymgr].some((p) => p.userId === e.actor_id)));
    // The same people may still grant within what they hold.
    assert.equal(
      (
        await world.call(rolemgr.cookie, 'PATCH', `${api}/roles/rolemgr`, {
          permissions: ['organization:read', 'roles:manage'],
        })
      ).status,
      200,
    );
    assert.equal(
      (await world.call(keymgr.cookie, 'POST', `${api}/api-keys`, { name: 'ok', role: 'member' })).status,
      201,
    );
  });

  it('super-admin: membership alone is not enough, entering is an explicit same-origin POST, and reads write nothing', async () => {
    const home = await seedOrg(world, { roles: {}, people: ['admin', 'member'], grouped: [] });
    world.setSuperAdminOrg(home.id);
    const [staff, intern] = home.people as [(typeof home.people)[0], (typeof home.people)[0]];
    const entries = async () =>
      (
        await inTenant(store.db, org.id, (tx) =>
          tx.selectFrom('audit_events').select('id').where('type', '=', 'superadmin.entered').execute(),
        )
      ).length;
    const enter = `/api/v1/admin/organizations/${org.id}/enter`;
    const attempts: Attempt[] = [
      {
        name: 'a plain member lists every tenant',
        run: () => world.call(intern.cookie, 'GET', '/api/v1/admin/organizations'),
        status: 404,
      },
      { name: 'a plain member enters a tenant', run: () => world.call(intern.cookie, 'POST', enter), status: 404 },
      {
        name: 'a plain member reads another tenant',
        run: () => world.call(intern.cookie, 'GET', `/api/v1/organizations/${org.id}/members`),
        status: 404,
      },
      {
        name: 'a plain member opens the tenant switcher',
        run: () => world.call(intern.cookie, 'GET', '/admin/tenants'),
        status: 404,
      },
      {
        name: 'a plain member enters from the switcher',
        run: () => world.form(intern.cookie, `/admin/tenants/${org.id}/enter`, {}),
        status: 404,
      },
      {
        name: 'a super-admin reads a tenant without entering',
        run: () => world.call(staff.cookie, 'GET', `/api/v1/organizations/${org.id}/members`),
        status: 404,
        code: 'AUTH_SUPERADMIN_NOT_ENTERED',
      },
      {
        name: 'a super-admin opens a tenant page without entering',
        run: () => world.call(staff.cookie, 'GET', `/admin/orgs/${org.id}/members`),
        status: 404,
      },
      {
        name: 'a cross-site POST enters (Fetch Metadata)',
        run: () => world.call(staff.cookie, 'POST', enter, undefined, { 'sec-fetch-site': 'cross-site' }),
        status: 403,
        code: 'AUTH_CSRF_REJECTED',
      },
      {
        name: 'a same-site other-origin POST enters',
        run: () => world.call(staff.cookie, 'POST', enter, undefined, { 'sec-fetch-site': 'same-site' }),
        status: 403,
        code: 'AUTH_CSRF_REJECTED',
      },
      {
        name: 'a cross-site switcher form enters',
        run: () => world.form(staff.cookie, `/admin/tenants/${org.id}/enter`, {}, { 'sec-fetch-site': 'cross-site' }),
        status: 403,
      },
    ];
    assert.equal(await tryAll('super-admin', attempts), 0);
    assert.equal(await entries(), 0, 'no attempt wrote superadmin.entered');
    assert.equal((await world.call(staff.cookie, 'POST', enter)).status, 204);
    for (let i = 0; i < 5; i++) {
      assert.equal((await world.call(staff.cookie, 'GET', `/api/v1/organizations/${org.id}/members`)).status, 200);
      assert.equal((await world.call(staff.cookie, 'GET', `/admin/orgs/${org.id}/members`)).status, 200);
    }
    assert.equal(await entries(), 1, 'one entry, then reads write nothing');
  });
});
