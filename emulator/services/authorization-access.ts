// Role assignments and access checks over the resource tree (fine-grained authorization), as
// WorkOS documents them: a role assigned to a membership on a resource grants its permissions on
// that resource and every descendant; the membership's organization role is an assignment on the
// organization, the root; roles and permissions are scoped to a resource type, so a role can only
// be assigned on a resource of its type and a permission only ever applies to resources of its
// type. An inactive membership has no access. The decision is `effectivePermissions`, in one place.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { MembershipWire, PermissionWire, RoleWire } from '../state/types.ts';
import type { RoleAssignmentRecord } from '../state/platform-types.ts';
import { EmulatorError, badRequest, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireMembership } from './memberships.ts';
import { resolveRole } from './roles.ts';
import { serializeMembership } from './serialize.ts';
import {
  ORGANIZATION_TYPE,
  ancestry,
  childrenOf,
  organizationNode,
  requireResourceByExternalId,
  resolveNode,
  type ResourceNode,
} from './authorization-tree.ts';

const Target = {
  resource_id: z.string().min(1).optional(),
  resource_external_id: z.string().min(1).optional(),
  resource_type_slug: z.string().min(1).optional(),
};
const CheckInput = z.object({ permission_slug: z.string().min(1), ...Target }).strict();
const RoleInput = z.object({ role_slug: z.string().min(1), ...Target }).strict();

function invalid(field: string, message: string): EmulatorError {
  return new EmulatorError(422, { code: 'invalid_request_parameters', message, errors: [{ field, code: 'invalid' }] });
}

interface Grant {
  id: string;
  membership: MembershipWire;
  role: RoleWire;
  node: ResourceNode;
  created_at: string;
  updated_at: string;
  /** Organization roles live on the membership; they cannot be removed as assignments. */
  fromMembership: boolean;
}

/** Every role the membership holds, with where it holds it: its organization roles, then assignments. */
function grantsOf(ctx: EmulatorContext, membership: MembershipWire): Grant[] {
  const orgId = membership.organization_id;
  const root = organizationNode(ctx, orgId);
  const grants: Grant[] = [];
  for (const { slug } of membership.roles) {
    const role = resolveRole(ctx, orgId, slug);
    if (!role) continue;
    grants.push({
      // Stable, so a client can list twice and compare; derived from the membership and the role.
      id: `role_assignment_${membership.id.replace(/^om_/, '')}_${role.id.replace(/^role_/, '')}`,
      membership,
      role,
      node: root,
      created_at: membership.created_at,
      updated_at: membership.updated_at,
      fromMembership: true,
    });
  }
  for (const a of ctx.world.roleAssignments.values()) {
    if (a.organization_membership_id !== membership.id) continue;
    const role = resolveRole(ctx, orgId, a.role_slug);
    const node = nodeOf(ctx, orgId, a.resource_id);
    if (!role || !node) continue;
    grants.push({ ...a, membership, role, node, fromMembership: false });
  }
  return grants;
}

function nodeOf(ctx: EmulatorContext, orgId: string, resourceId: string): ResourceNode | undefined {
  if (resourceId === orgId) return organizationNode(ctx, orgId);
  const r = ctx.world.authorizationResources.get(resourceId);
  return r ? resolveNode(ctx, orgId, { resource_id: r.id }) : undefined;
}

/**
 * THE decision: the permissions a membership holds on a node — those of every role granted on the
 * node or an ancestor, limited to permissions scoped to the node's type. `direct` counts only
 * roles granted on the node itself.
 */
export function effectivePermissions(
  ctx: EmulatorContext,
  membership: MembershipWire,
  node: ResourceNode,
  direct = false,
): Set<string> {
  const out = new Set<string>();
  if (membership.status !== 'active') return out;
  const path = new Set((direct ? [node] : ancestry(ctx, node)).map((n) => n.id));
  const scoped = new Set(
    [...ctx.world.permissions.values()]
      .filter((p) => p.resource_type_slug === node.resource_type_slug)
      .map((p) => p.slug),
  );
  for (const grant of grantsOf(ctx, membership)) {
    if (!path.has(grant.node.id)) continue;
    for (const p of grant.role.permissions) if (scoped.has(p)) out.add(p);
  }
  return out;
}

function serializeGrant(grant: Grant) {
  return {
    object: 'role_assignment' as const,
    id: grant.id,
    organization_membership_id: grant.membership.id,
    role: { slug: grant.role.slug },
    resource: {
      id: grant.node.id,
      external_id: grant.node.external_id,
      resource_type_slug: grant.node.resource_type_slug,
    },
    source: { type: 'direct' },
    created_at: grant.created_at,
    updated_at: grant.updated_at,
  };
}

export function check(ctx: EmulatorContext, membershipId: string, body: unknown) {
  const input = parseInput(CheckInput, body);
  const membership = requireMembership(ctx, membershipId);
  const node = resolveNode(ctx, membership.organization_id, input);
  return { authorized: effectivePermissions(ctx, membership, node).has(input.permission_slug) };
}

export function assignRole(ctx: EmulatorContext, membershipId: string, body: unknown) {
  const input = parseInput(RoleInput, body);
  const membership = requireMembership(ctx, membershipId);
  const orgId = membership.organization_id;
  const node = resolveNode(ctx, orgId, input);
  const role = resolveRole(ctx, orgId, input.role_slug);
  if (!role) throw notFound('Role', input.role_slug);
  if (role.resource_type_slug !== node.resource_type_slug) {
    throw invalid(
      'role_slug',
      `Role '${role.slug}' is scoped to ${role.resource_type_slug} resources, not ${node.resource_type_slug}.`,
    );
  }
  const existing = grantsOf(ctx, membership).find((g) => g.role.id === role.id && g.node.id === node.id);
  if (existing) throw invalid('role_slug', `Role '${role.slug}' is already assigned on this resource.`);
  const now = ctx.world.nowIso();
  const record: RoleAssignmentRecord = {
    id: ctx.world.newId('role_assignment'),
    organization_membership_id: membership.id,
    role_slug: role.slug,
    resource_id: node.id,
    created_at: now,
    updated_at: now,
  };
  ctx.world.roleAssignments.set(record.id, record);
  return serializeGrant({ ...record, membership, role, node, fromMembership: false });
}

function removeGrant(ctx: EmulatorContext, grant: Grant): void {
  // Documented answers here are 403/404: the organization role is the membership's, changed there.
  if (grant.fromMembership) {
    throw new EmulatorError(403, {
      code: 'organization_role_assignment',
      message: "The organization role is the membership's role; change it on the organization membership.",
    });
  }
  ctx.world.roleAssignments.delete(grant.id);
}

export function removeRole(ctx: EmulatorContext, membershipId: string, body: unknown): void {
  const input = parseInput(RoleInput, body);
  const membership = requireMembership(ctx, membershipId);
  const node = resolveNode(ctx, membership.organization_id, input);
  const grant = grantsOf(ctx, membership).find((g) => g.role.slug === input.role_slug && g.node.id === node.id);
  if (!grant) throw notFound('Role assignment', input.role_slug);
  removeGrant(ctx, grant);
}

export function removeRoleAssignment(ctx: EmulatorContext, membershipId: string, assignmentId: string): void {
  const membership = requireMembership(ctx, membershipId);
  const grant = grantsOf(ctx, membership).find((g) => g.id === assignmentId);
  if (!grant) throw notFound('Role assignment', assignmentId);
  removeGrant(ctx, grant);
}

/** Optionally narrowed to one resource (`resource_id`, or `resource_external_id` + `resource_type_slug`). */
export function listRoleAssignments(
  ctx: EmulatorContext,
  membershipId: string,
  target: { resource_id?: string; resource_external_id?: string; resource_type_slug?: string },
  params: ListParams,
) {
  const membership = requireMembership(ctx, membershipId);
  const narrowed = Object.keys(target).length > 0;
  const node = narrowed ? resolveNode(ctx, membership.organization_id, target) : undefined;
  const grants = grantsOf(ctx, membership).filter((g) => !node || g.node.id === node.id);
  return paginate(grants, params, serializeGrant);
}

/** Every grant made on one resource, whoever holds it (the SDK's `listRoleAssignmentsForResource`). */
export function listResourceRoleAssignments(
  ctx: EmulatorContext,
  node: ResourceNode,
  roleSlug: string | undefined,
  params: ListParams,
) {
  const grants = [...ctx.world.memberships.values()]
    .filter((m) => m.organization_id === node.organization_id)
    .flatMap((m) => grantsOf(ctx, m))
    .filter((g) => g.node.id === node.id && (!roleSlug || g.role.slug === roleSlug));
  return paginate(grants, params, serializeGrant);
}

function permissionRecords(ctx: EmulatorContext, slugs: Set<string>): PermissionWire[] {
  return [...ctx.world.permissions.values()].filter((p) => slugs.has(p.slug));
}

export function listEffectivePermissions(
  ctx: EmulatorContext,
  membershipId: string,
  target: { resource_id?: string; resource_type_slug?: string; resource_external_id?: string },
  params: ListParams,
) {
  const membership = requireMembership(ctx, membershipId);
  const node = resolveNode(ctx, membership.organization_id, target);
  const slugs = effectivePermissions(ctx, membership, node);
  return paginate(permissionRecords(ctx, slugs), params, (p) => ({ ...p }));
}

export interface DiscoveryQuery {
  permission_slug?: string;
  parent_resource_id?: string;
  parent_resource_type_slug?: string;
  parent_resource_external_id?: string;
}

/** Children of a parent on which the membership holds the permission ("which projects can she open?"). */
export function listResourcesForMembership(
  ctx: EmulatorContext,
  membershipId: string,
  query: DiscoveryQuery,
  params: ListParams,
) {
  if (!query.permission_slug) throw badRequest('bad_request', 'permission_slug is required.');
  const byExternal = query.parent_resource_external_id !== undefined || query.parent_resource_type_slug !== undefined;
  if ((query.parent_resource_id === undefined) === !byExternal) {
    throw badRequest(
      'bad_request',
      'Provide parent_resource_id, or parent_resource_external_id with parent_resource_type_slug.',
    );
  }
  const membership = requireMembership(ctx, membershipId);
  const parent = resolveNode(ctx, membership.organization_id, {
    resource_id: query.parent_resource_id,
    resource_external_id: query.parent_resource_external_id,
    resource_type_slug: query.parent_resource_type_slug,
  });
  const permission = query.permission_slug;
  const children = childrenOf(ctx, parent).filter((child) =>
    effectivePermissions(ctx, membership, resolveNode(ctx, parent.organization_id, { resource_id: child.id })).has(
      permission,
    ),
  );
  return paginate(children, params, (r) => ({ ...r }));
}

function parseAssignment(value: string | undefined): boolean {
  if (value === undefined || value === 'indirect') return false;
  if (value === 'direct') return true;
  throw invalid('assignment', 'assignment must be direct or indirect.');
}

/** Memberships holding a permission on a resource ("who can open this?"); `direct` counts only its own grants. */
export function listMembershipsForResource(
  ctx: EmulatorContext,
  node: ResourceNode,
  query: { permission_slug?: string; assignment?: string },
  params: ListParams,
) {
  if (!query.permission_slug) throw badRequest('bad_request', 'permission_slug is required.');
  const direct = parseAssignment(query.assignment);
  const permission = query.permission_slug;
  const members = [...ctx.world.memberships.values()].filter(
    (m) => m.organization_id === node.organization_id && effectivePermissions(ctx, m, node, direct).has(permission),
  );
  return paginate(members, params, (m) => {
    const { role: _role, roles: _roles, ...rest } = serializeMembership(ctx.world, m);
    return rest;
  });
}

export function resourceNodeById(ctx: EmulatorContext, resourceId: string): ResourceNode {
  const resource = ctx.world.authorizationResources.get(resourceId);
  if (!resource) throw notFound('Resource', resourceId);
  return resolveNode(ctx, resource.organization_id, { resource_id: resourceId });
}

export function resourceNodeByExternalId(
  ctx: EmulatorContext,
  orgId: string,
  type: string,
  externalId: string,
): ResourceNode {
  if (type === ORGANIZATION_TYPE)
    return resolveNode(ctx, orgId, { resource_type_slug: type, resource_external_id: externalId });
  const resource = requireResourceByExternalId(ctx, orgId, type, externalId);
  return resolveNode(ctx, orgId, { resource_id: resource.id });
}
