// The permission ceiling as a property: fast-check generates two organizations whose people hold
// random roles (built-in and random custom roles), then sequences of grants by random people
// through `app.request()` — custom role create and edit (their own role included), member role
// changes (their own included), invitations, directory group mappings, API keys, and the same
// against the other organization. After every step: no principal (membership in the mirror and
// at WorkOS, pending invitation, live API key, mapped group member) holds a permission that no
// granter held at the start; an accepted grant carried nothing its author lacked; nobody's own
// permissions grew through their own act. The install declares app permissions (notes:*), so the
// generated permissions mix Gatehouse's and the app's, the built-in roles carry the app's defaults,
// and seeded custom roles may still name a permission the app no longer declares (it grants nothing).
// Fixed seed (PROPERTY_SEED) in CI; PROPERTY_RUNS for long runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { openCeilingWorld, seedOrg, type CeilingWorld, type SeededOrg } from '../support/ceiling-world.ts';
import { openPgliteTestStore } from '../support/stores.ts';

const APP_PERMISSIONS = [
  { slug: 'notes:read', description: 'Read notes', roles: ['member'] },
  { slug: 'notes:write', description: 'Create and edit notes', roles: [] },
  { slug: 'notes:share', description: 'Share notes outside the organization', roles: [] },
];
const catalogue = createPermissionCatalogue(APP_PERMISSIONS);
/** Every permission of the install: Gatehouse's and the app's. */
const EVERY = [...ALL_PERMISSIONS, ...APP_PERMISSIONS.map((p) => p.slug)];
/** The app's defaults of the built-in roles, written out here rather than read from the catalogue. */
const APP_DEFAULTS: Record<string, string[]> = {
  admin: ['notes:read', 'notes:write', 'notes:share'],
  member: ['notes:read'],
};
/** A permission the app declared once and no longer does: stored in some roles, granting nothing. */
const RETIRED = 'notes:archive';
const perms = fc.subarray(EVERY, { minLength: 0, maxLength: EVERY.length });
const person = fc.nat(3);
const roleIndex = fc.nat(20);
const org = fc.nat(1);
// Half the grants stay within what the actor holds, so allowed grants are exercised too.
const within = fc.boolean();

const op = fc.oneof(
  fc.record({ kind: fc.constant('createRole' as const), org, cross: fc.nat(4), actor: person, perms, within }),
  fc.record({
    kind: fc.constant('editRole' as const),
    org,
    cross: fc.nat(4),
    actor: person,
    role: roleIndex,
    perms,
    own: fc.boolean(),
    within,
  }),
  fc.record({
    kind: fc.constant('memberRole' as const),
    org,
    cross: fc.nat(4),
    actor: person,
    who: person,
    role: roleIndex,
    within,
  }),
  fc.record({ kind: fc.constant('invite' as const), org, cross: fc.nat(4), actor: person, role: roleIndex, within }),
  fc.record({
    kind: fc.constant('map' as const),
    org,
    cross: fc.nat(4),
    actor: person,
    role: roleIndex,
    remove: fc.boolean(),
    within,
  }),
  fc.record({ kind: fc.constant('apiKey' as const), org, cross: fc.nat(4), actor: person, role: roleIndex, within }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
/** One step in five aims at the other organization. */
const targetOf = (o: Op) => (o.cross === 0 ? 1 - o.org : o.org);

// Custom roles lean towards the managing permissions, so people can attempt grants at all, and
// towards the member role's Gatehouse permissions, so granting `member` hinges on its app default.
const customPerms = fc
  .tuple(
    perms,
    fc.subarray(['roles:manage', 'members:manage', 'api_keys:manage', 'members:read', 'organization:read'] as const),
    fc.boolean(),
  )
  .map(([a, b, retired]) => [...new Set([...a, ...b, ...(retired ? [RETIRED] : [])])]);

// People: mostly custom roles, sometimes the built-in ones (admin rarely, so ceilings bind).
const orgSpec = fc.record({
  customs: fc.array(customPerms, { minLength: 2, maxLength: 3 }),
  people: fc.array(
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(-2) },
      { weight: 2, arbitrary: fc.constant(-1) },
      { weight: 6, arbitrary: fc.nat(2) },
    ),
    { minLength: 4, maxLength: 4 },
  ),
  grouped: fc.subarray([0, 1, 2, 3], { minLength: 1 }),
});

describe('permission ceiling (property, through the HTTP API)', () => {
  let store: Store;
  let world: CeilingWorld;
  before(async () => {
    store = await openPgliteTestStore();
    world = await openCeilingWorld(store, { permissions: catalogue });
  });
  after(async () => {
    await world?.close();
    await store?.close();
  });

  const roleSlugs = async (orgId: string) => {
    const custom = await asSystem(store.db, 'test reads', (tx) =>
      tx.selectFrom('organization_roles').select('slug').where('organization_id', '=', orgId).orderBy('slug').execute(),
    );
    return ['admin', 'member', ...custom.map((r) => r.slug)];
  };
  /** What a role grants: its declared stored slugs, plus the app's defaults for a built-in role. */
  const permsOf = async (orgId: string, slug: string): Promise<string[]> =>
    (await storedPermsOf(orgId, slug)).filter((p) => EVERY.includes(p));
  const storedPermsOf = async (orgId: string, slug: string): Promise<string[]> => {
    const custom = await asSystem(store.db, 'test reads', (tx) =>
      tx
        .selectFrom('organization_roles')
        .select('permissions')
        .where('organization_id', '=', orgId)
        .where('slug', '=', slug)
        .executeTakeFirst(),
    );
    if (custom) return custom.permissions;
    const builtIn = await asSystem(store.db, 'test reads', (tx) =>
      tx.selectFrom('roles').select('permissions').where('slug', '=', slug).executeTakeFirst(),
    );
    return builtIn ? [...builtIn.permissions, ...(APP_DEFAULTS[slug] ?? [])] : [];
  };
  const heldBy = async (orgId: string, userId: string): Promise<string[]> => {
    const m = await asSystem(store.db, 'test reads', (tx) =>
      tx
        .selectFrom('organization_memberships')
        .select(['role_slug', 'status'])
        .where('organization_id', '=', orgId)
        .where('user_id', '=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    );
    return m && m.status === 'active' ? permsOf(orgId, m.role_slug) : [];
  };

  /** Every principal of the organization with the role it holds, in the mirror and at WorkOS. */
  const principals = async (orgId: string): Promise<Array<{ what: string; role: string }>> => {
    const rows = await asSystem(store.db, 'test reads', async (tx) => ({
      members: await tx
        .selectFrom('organization_memberships')
        .select(['id', 'role_slug'])
        .where('organization_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .where('status', '=', 'active')
        .execute(),
      invitations: await tx
        .selectFrom('invitations')
        .select(['id', 'role_slug'])
        .where('organization_id', '=', orgId)
        .where('state', '=', 'pending')
        .execute(),
      keys: await tx
        .selectFrom('api_keys')
        .select(['id', 'role'])
        .where('organization_id', '=', orgId)
        .where('revoked_at', 'is', null)
        .execute(),
    }));
    const atWorkos = (
      await world.workos.userManagement.listOrganizationMemberships({ organizationId: orgId, limit: 100 })
    ).data;
    return [
      ...rows.members.map((m) => ({ what: `membership ${m.id}`, role: m.role_slug })),
      ...rows.invitations.map((i) => ({ what: `invitation ${i.id}`, role: i.role_slug ?? 'member' })),
      ...rows.keys.map((k) => ({ what: `api key ${k.id}`, role: k.role })),
      ...atWorkos.map((m) => ({ what: `WorkOS membership ${m.id}`, role: m.role.slug })),
    ];
  };

  async function step(
    orgs: SeededOrg[],
    o: Op,
    n: number,
    held: Set<string>,
  ): Promise<{ status: number; granted: string[] | null }> {
    const home = orgs[o.org]!;
    const target = orgs[targetOf(o)]!;
    const actor = home.people[o.actor]!;
    const all = await roleSlugs(target.id);
    const inside: string[] = [];
    for (const slug of all) if ((await permsOf(target.id, slug)).every((p) => held.has(p))) inside.push(slug);
    const slugs = o.within && inside.length > 0 ? inside : all;
    const pick = (i: number) => slugs[i % slugs.length]!;
    const chosen =
      o.kind === 'createRole' || o.kind === 'editRole' ? (o.within ? o.perms.filter((p) => held.has(p)) : o.perms) : [];
    const base = `/api/v1/organizations/${target.id}`;
    switch (o.kind) {
      case 'createRole': {
        const r = await world.call(actor.cookie, 'POST', `${base}/roles`, {
          slug: `made-${n}`,
          name: `Made ${n}`,
          permissions: chosen,
        });
        return { status: r.status, granted: chosen };
      }
      case 'editRole': {
        const own = await asSystem(store.db, 'test reads', (tx) =>
          tx
            .selectFrom('organization_memberships')
            .select('role_slug')
            .where('organization_id', '=', target.id)
            .where('user_id', '=', actor.userId)
            .executeTakeFirst(),
        );
        const slug = o.own && own ? own.role_slug : pick(o.role);
        const r = await world.call(actor.cookie, 'PATCH', `${base}/roles/${slug}`, { permissions: chosen });
        return { status: r.status, granted: chosen };
      }
      case 'memberRole': {
        const who = target.people[o.who]!;
        const role = pick(o.role);
        const r = await world.call(actor.cookie, 'PATCH', `${base}/members/${who.membershipId}`, { role });
        if (r.status === 200) await world.mirrorMembership(who.membershipId);
        return { status: r.status, granted: await permsOf(target.id, role) };
      }
      case 'invite': {
        const role = pick(o.role);
        const r = await world.call(actor.cookie, 'POST', `${base}/invitations`, {
          email: `invitee-${n}@outside.test`,
          role,
        });
        return { status: r.status, granted: await permsOf(target.id, role) };
      }
      case 'map': {
        const role = pick(o.role);
        const path = `${base}/directory-groups/${target.groupId}/role-mapping`;
        const r = o.remove
          ? await world.call(actor.cookie, 'DELETE', path)
          : await world.call(actor.cookie, 'PUT', path, { role, priority: 1 });
        return { status: r.status, granted: o.remove ? null : await permsOf(target.id, role) };
      }
      case 'apiKey': {
        const role = pick(o.role);
        const r = await world.call(actor.cookie, 'POST', `${base}/api-keys`, { name: `k${n}`, role });
        return { status: r.status, granted: await permsOf(target.id, role) };
      }
    }
  }

  it('no principal ever holds a permission no granter held, and nobody raises themself', async () => {
    const runs = Number(process.env.PROPERTY_RUNS ?? 8);
    let steps = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(orgSpec, { minLength: 2, maxLength: 2 }),
        fc.array(op, { minLength: 6, maxLength: 16 }),
        async (specs, ops) => {
          const orgs: SeededOrg[] = [];
          const ceilings: Set<string>[] = [];
          for (const spec of specs) {
            const roles = Object.fromEntries(spec.customs.map((p, i) => [`custom-${i}`, p]));
            const people = spec.people.map((r) =>
              r === -2 ? 'admin' : r === -1 ? 'member' : `custom-${r % spec.customs.length}`,
            );
            const seeded = await seedOrg(world, { roles, people, grouped: spec.grouped });
            orgs.push(seeded);
            // What the granters hold at the start, in the mirror and at WorkOS (where a custom role is `member`).
            const held = new Set<string>();
            for (const p of principalsHeld(people, roles)) held.add(p);
            ceilings.push(held);
          }
          for (const [n, o] of ops.entries()) {
            const actor = orgs[o.org]!.people[o.actor]!;
            const before = new Set(await heldBy(orgs[o.org]!.id, actor.userId));
            const { status, granted } = await step(orgs, o, n, before);
            steps++;
            const ok = status >= 200 && status < 300;
            if (ok) accepted++;
            const where = `step ${n} ${JSON.stringify(o)} -> ${status}`;
            if (targetOf(o) !== o.org) assert.ok(!ok, `${where}: acted in another organization`);
            if (ok && granted)
              for (const p of granted) assert.ok(before.has(p), `${where}: granted ${p}, which the actor did not hold`);
            const after = await heldBy(orgs[o.org]!.id, actor.userId);
            for (const p of after) assert.ok(before.has(p), `${where}: the actor's own permissions grew by ${p}`);
            // The resolver agrees with the mirror: app permissions kept, the retired one never carried.
            const me = await world.call(actor.cookie, 'GET', '/api/v1/me');
            if (me.status === 200)
              assert.deepEqual([...me.body.permissions].sort(), [...new Set(after)].sort(), `${where}: /me`);
            for (const [i, seededOrg] of orgs.entries()) {
              for (const principal of await principals(seededOrg.id)) {
                for (const p of await permsOf(seededOrg.id, principal.role)) {
                  assert.ok(
                    ceilings[i]!.has(p),
                    `${where}: ${principal.what} (${principal.role}) holds ${p}, which no granter held`,
                  );
                }
              }
            }
          }
        },
      ),
      { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261130), endOnFailure: true },
    );
    console.log(`ceiling property: ${runs} runs, ${steps} steps, ${accepted} grants accepted, 0 violations`);
    assert.ok(accepted > 0, 'the generator must produce grants that are allowed, not only refusals');
  });
});

/** The permissions the seeded people hold: their Gatehouse role's, and at WorkOS admin's or member's. */
function principalsHeld(people: string[], roles: Record<string, readonly string[]>): string[] {
  const builtIn: Record<string, readonly string[]> = {
    admin: EVERY,
    member: ['organization:read', 'members:read', ...APP_DEFAULTS.member!],
  };
  return people
    .flatMap((r) => [...(roles[r] ?? builtIn[r] ?? []), ...(r === 'admin' ? EVERY : builtIn.member!)])
    .filter((p) => p !== RETIRED);
}
