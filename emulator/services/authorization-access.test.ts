import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import type { EmulatorContext } from './context.ts';
import { createOrganization } from './organizations.ts';
import { createUser } from './users.ts';
import { createMembership, deactivateMembership, deleteMembership, reactivateMembership } from './memberships.ts';
import { createPermission, createRole, ensureDefaultRoles, setRolePermissions } from './roles.ts';
import { createResource, deleteResource } from './authorization-resources.ts';
import { assignRole, check, removeRoleAssignment } from './authorization-access.ts';
import { EmulatorError } from './errors.ts';

// Random sequences of resource creates and cascading deletes, role grants and removals, membership
// deactivation and deletion; after every step each (membership, resource, permission) check must
// agree with a model that knows only the documented rule: a permission is held on a resource when a
// role granted on it or an ancestor (the membership's organization role on the root) includes it,
// the permission is scoped to the resource's type, and the membership is active.

const runs = Number(process.env.PROPERTY_RUNS ?? 40);
const seed = Number(process.env.PROPERTY_SEED ?? 20261130);
const keys = await openSigningKeys();

const PERMISSIONS: Record<string, string> = {
  'org:read': 'organization',
  'ws:read': 'workspace',
  'ws:write': 'workspace',
  'proj:read': 'project',
};
const ROLES: Record<string, { type: string; permissions: string[] }> = {
  'ws-admin': { type: 'workspace', permissions: ['ws:read', 'ws:write', 'proj:read'] },
  'ws-viewer': { type: 'workspace', permissions: ['ws:read'] },
  'proj-viewer': { type: 'project', permissions: ['proj:read'] },
};

const step = fc.oneof(
  fc.record({ op: fc.constant('create' as const), type: fc.constantFrom('workspace', 'project'), parent: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('assign' as const),
    member: fc.nat(2),
    role: fc.constantFrom(...Object.keys(ROLES)),
    pick: fc.nat(),
  }),
  fc.record({ op: fc.constant('unassign' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('toggle' as const), member: fc.nat(2) }),
  fc.record({ op: fc.constant('drop' as const), member: fc.nat(2) }),
);

interface Node {
  id: string;
  type: string;
  parent: string;
}

test('checks agree with the documented inheritance rule after every step (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
      const ctx: EmulatorContext = {
        world: createWorld(),
        keys,
        config: { apiKey: 'k', clientId: 'c', baseUrl: 'http://x' },
      };
      ensureDefaultRoles(ctx);
      for (const [slug, type] of Object.entries(PERMISSIONS)) {
        createPermission(ctx, { slug, name: slug, resource_type_slug: type });
      }
      for (const [slug, role] of Object.entries(ROLES)) {
        createRole(ctx, null, { slug, name: slug, resource_type_slug: role.type });
        setRolePermissions(ctx, null, slug, { permissions: role.permissions });
      }
      setRolePermissions(ctx, null, 'member', { permissions: ['org:read'] });
      const org = createOrganization(ctx, { name: 'Prop' }).id;
      // The model: its own tree, grants and membership states.
      const members = [0, 1, 2].map((i) => {
        const user = createUser(ctx, { email: `m${i}@prop.test` });
        return createMembership(ctx, { user_id: user.id, organization_id: org, role_slug: 'member' }).id as string;
      });
      const active = new Map(members.map((m) => [m, true]));
      const nodes: Node[] = [];
      const grants: Array<{ id: string; member: string; role: string; node: string }> = [];
      const ancestors = (id: string): string[] => {
        const out = [id];
        let n = nodes.find((x) => x.id === id);
        while (n) {
          out.push(n.parent);
          n = nodes.find((x) => x.id === n!.parent);
        }
        return out;
      };
      const modelHolds = (member: string, node: Node, permission: string) => {
        if (!active.get(member) || PERMISSIONS[permission] !== node.type) return false;
        const path = ancestors(node.id);
        if (path.includes(org) && permission === 'org:read') return true;
        return grants.some(
          (g) => g.member === member && path.includes(g.node) && ROLES[g.role]!.permissions.includes(permission),
        );
      };

      for (const s of steps) {
        if (s.op === 'create') {
          const parents = [org, ...nodes.filter((n) => n.type === 'workspace').map((n) => n.id)];
          const parent = parents[s.parent % parents.length]!;
          const r = createResource(ctx, {
            organization_id: org,
            resource_type_slug: s.type,
            external_id: `x${nodes.length}-${ctx.world.newId('x')}`,
            name: 'n',
            ...(parent === org ? {} : { parent_resource_id: parent }),
          });
          nodes.push({ id: r.id, type: s.type, parent });
        } else if (s.op === 'delete' && nodes.length > 0) {
          const target = nodes[s.pick % nodes.length]!;
          deleteResource(ctx, target.id, true);
          const gone = new Set(nodes.filter((n) => ancestors(n.id).includes(target.id)).map((n) => n.id));
          nodes.splice(0, nodes.length, ...nodes.filter((n) => !gone.has(n.id)));
          grants.splice(0, grants.length, ...grants.filter((g) => !gone.has(g.node)));
        } else if (s.op === 'assign' && nodes.length > 0) {
          const member = members[s.member]!;
          const node = nodes[s.pick % nodes.length]!;
          const fits = ROLES[s.role]!.type === node.type;
          const dup = grants.some((g) => g.member === member && g.role === s.role && g.node === node.id);
          if (!active.has(member)) continue;
          try {
            const a = assignRole(ctx, member, { role_slug: s.role, resource_id: node.id });
            assert.ok(fits && !dup, 'a wrong-type or repeated grant was accepted');
            grants.push({ id: a.id, member, role: s.role, node: node.id });
          } catch (error) {
            assert.ok(error instanceof EmulatorError && error.status === 422 && (!fits || dup));
          }
        } else if (s.op === 'unassign' && grants.length > 0) {
          const [g] = grants.splice(s.pick % grants.length, 1);
          removeRoleAssignment(ctx, g!.member, g!.id);
        } else if (s.op === 'toggle') {
          const member = members[s.member]!;
          if (!active.has(member)) continue;
          if (active.get(member)) deactivateMembership(ctx, member);
          else reactivateMembership(ctx, member);
          active.set(member, !active.get(member));
        } else if (s.op === 'drop') {
          const member = members[s.member]!;
          if (!active.has(member)) continue;
          deleteMembership(ctx, member);
          active.delete(member);
          grants.splice(0, grants.length, ...grants.filter((g) => g.member !== member));
        }
        const everywhere = [{ id: org, type: 'organization', parent: '' }, ...nodes];
        for (const member of active.keys()) {
          for (const node of everywhere) {
            for (const permission of Object.keys(PERMISSIONS)) {
              const got = check(ctx, member, { permission_slug: permission, resource_id: node.id }).authorized;
              assert.equal(got, modelHolds(member, node, permission), `${member} ${permission} on ${node.type}`);
            }
          }
        }
      }
    }),
    { numRuns: runs, seed },
  );
});
