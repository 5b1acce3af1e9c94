// Fine-grained authorization resources: instances of resource types forming one tree per
// organization, the organization itself at the root. WorkOS's rules kept here: a resource's type
// must exist (declared, or named by a permission or role), `external_id` is unique per
// organization and type, a parent belongs to the same organization (and, for a declared type, is
// of an allowed parent type), and a resource with children or role assignments is deleted only
// with `cascade_delete`, which takes its whole subtree and their assignments with it.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { AuthorizationResourceWire } from '../state/platform-types.ts';
import { EmulatorError, conflict, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organizations.ts';

/** The organization's own place in the tree: type `organization`, addressed by the organization id. */
export const ORGANIZATION_TYPE = 'organization';

/** A node of the tree: a stored resource, or the organization root. */
export interface ResourceNode {
  id: string;
  external_id: string;
  resource_type_slug: string;
  organization_id: string;
  parent_id: string | null;
}

const CreateInput = z
  .object({
    external_id: z.string().min(1).max(128),
    name: z.string().min(1).max(48),
    description: z.string().max(150).nullish(),
    resource_type_slug: z.string().min(1),
    organization_id: z.string().min(1),
    parent_resource_id: z.string().min(1).nullish(),
    parent_resource_external_id: z.string().min(1).optional(),
    parent_resource_type_slug: z.string().min(1).optional(),
  })
  .strict();

const ResourceTypesInput = z.object({
  resource_types: z.array(
    z.object({
      slug: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/)
        .refine((v) => v !== ORGANIZATION_TYPE, 'organization is built in'),
      parents: z.array(z.string().min(1)).default([]),
    }),
  ),
});

/** Declares resource types and their allowed parent types (the dashboard's job at WorkOS); replaces all. */
export function setResourceTypes(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(ResourceTypesInput, body);
  ctx.world.resourceTypes.clear();
  for (const t of input.resource_types) ctx.world.resourceTypes.set(t.slug, t.parents);
  return listResourceTypes(ctx);
}

export function listResourceTypes(ctx: EmulatorContext) {
  return { resource_types: [...ctx.world.resourceTypes].map(([slug, parents]) => ({ slug, parents })) };
}

const UpdateInput = z
  .object({
    name: z.string().min(1).max(48).optional(),
    description: z.string().max(150).nullish(),
  })
  .strict();

function invalid(field: string, message: string): EmulatorError {
  return new EmulatorError(422, {
    code: 'invalid_request_parameters',
    message,
    errors: [{ field, code: 'invalid', message }],
  });
}

/** Types a resource may have: declared ones, and those a permission or role is scoped to. */
export function knownResourceType(ctx: EmulatorContext, slug: string): boolean {
  if (slug === ORGANIZATION_TYPE) return true;
  if (ctx.world.resourceTypes.has(slug)) return true;
  for (const p of ctx.world.permissions.values()) if (p.resource_type_slug === slug) return true;
  for (const r of ctx.world.roles.values()) if (r.resource_type_slug === slug) return true;
  return false;
}

export function organizationNode(ctx: EmulatorContext, orgId: string): ResourceNode {
  const org = requireOrganization(ctx, orgId);
  return {
    id: org.id,
    external_id: org.id,
    resource_type_slug: ORGANIZATION_TYPE,
    organization_id: org.id,
    parent_id: null,
  };
}

function toNode(resource: AuthorizationResourceWire): ResourceNode {
  return {
    id: resource.id,
    external_id: resource.external_id,
    resource_type_slug: resource.resource_type_slug,
    organization_id: resource.organization_id,
    parent_id: resource.parent_resource_id ?? resource.organization_id,
  };
}

function requireResource(ctx: EmulatorContext, id: string): AuthorizationResourceWire {
  const resource = ctx.world.authorizationResources.get(id);
  if (!resource) throw notFound('Resource', id);
  return resource;
}

function findByExternalId(
  ctx: EmulatorContext,
  orgId: string | undefined,
  type: string,
  externalId: string,
): AuthorizationResourceWire | undefined {
  for (const r of ctx.world.authorizationResources.values()) {
    if (r.resource_type_slug === type && r.external_id === externalId && (!orgId || r.organization_id === orgId))
      return r;
  }
  return undefined;
}

export function requireResourceByExternalId(
  ctx: EmulatorContext,
  orgId: string,
  type: string,
  externalId: string,
): AuthorizationResourceWire {
  requireOrganization(ctx, orgId);
  const resource = findByExternalId(ctx, orgId, type, externalId);
  if (!resource) throw notFound('Resource', `${type}/${externalId}`);
  return resource;
}

/**
 * The node a request names, by `resource_id` or by `resource_external_id` + `resource_type_slug`
 * (exactly one of the two), inside `orgId`. The organization is addressed as type `organization`
 * with its id as external id (or as `resource_id`).
 */
export function resolveNode(
  ctx: EmulatorContext,
  orgId: string,
  target: {
    resource_id?: string | undefined;
    resource_external_id?: string | undefined;
    resource_type_slug?: string | undefined;
  },
  field = 'resource_id',
): ResourceNode {
  const byId = target.resource_id !== undefined;
  const byExternal = target.resource_external_id !== undefined || target.resource_type_slug !== undefined;
  if (byId === byExternal) {
    throw invalid(field, 'Provide either resource_id, or resource_external_id with resource_type_slug.');
  }
  if (byExternal && (!target.resource_external_id || !target.resource_type_slug)) {
    throw invalid(field, 'resource_external_id and resource_type_slug go together.');
  }
  if (target.resource_id === orgId) return organizationNode(ctx, orgId);
  if (target.resource_type_slug === ORGANIZATION_TYPE) {
    if (target.resource_external_id !== orgId)
      throw notFound('Resource', `organization/${target.resource_external_id}`);
    return organizationNode(ctx, orgId);
  }
  const resource = byId
    ? ctx.world.authorizationResources.get(target.resource_id!)
    : findByExternalId(ctx, orgId, target.resource_type_slug!, target.resource_external_id!);
  // Another organization's resource is as unknown as a missing one.
  if (!resource || resource.organization_id !== orgId) {
    throw notFound('Resource', target.resource_id ?? `${target.resource_type_slug}/${target.resource_external_id}`);
  }
  return toNode(resource);
}

/** The node and every ancestor up to the organization root, nearest first. */
export function ancestry(ctx: EmulatorContext, node: ResourceNode): ResourceNode[] {
  const chain = [node];
  let current = node;
  while (current.parent_id) {
    const parent = ctx.world.authorizationResources.get(current.parent_id);
    current = parent ? toNode(parent) : organizationNode(ctx, current.organization_id);
    chain.push(current);
  }
  return chain;
}

/** Direct children of a node. */
export function childrenOf(ctx: EmulatorContext, node: ResourceNode): AuthorizationResourceWire[] {
  return [...ctx.world.authorizationResources.values()].filter(
    (r) => r.organization_id === node.organization_id && (r.parent_resource_id ?? r.organization_id) === node.id,
  );
}

export function createResource(ctx: EmulatorContext, body: unknown): AuthorizationResourceWire {
  const input = parseInput(CreateInput, body);
  const { world } = ctx;
  requireOrganization(ctx, input.organization_id);
  if (input.resource_type_slug === ORGANIZATION_TYPE || !knownResourceType(ctx, input.resource_type_slug)) {
    throw notFound('Resource type', input.resource_type_slug);
  }
  const hasParentId = input.parent_resource_id !== undefined && input.parent_resource_id !== null;
  const hasParentExternal =
    input.parent_resource_external_id !== undefined || input.parent_resource_type_slug !== undefined;
  if (hasParentId && hasParentExternal) {
    throw invalid('parent_resource_id', 'parent_resource_id and parent_resource_external_id are mutually exclusive.');
  }
  const parent =
    hasParentId || hasParentExternal
      ? resolveNode(
          ctx,
          input.organization_id,
          {
            resource_id: input.parent_resource_id ?? undefined,
            resource_external_id: input.parent_resource_external_id,
            resource_type_slug: input.parent_resource_type_slug,
          },
          'parent_resource_id',
        )
      : organizationNode(ctx, input.organization_id);
  const allowedParents = world.resourceTypes.get(input.resource_type_slug);
  if (allowedParents && allowedParents.length > 0 && !allowedParents.includes(parent.resource_type_slug)) {
    throw invalid(
      'parent_resource_id',
      `A ${input.resource_type_slug} cannot be a child of a ${parent.resource_type_slug}.`,
    );
  }
  if (findByExternalId(ctx, input.organization_id, input.resource_type_slug, input.external_id)) {
    throw conflict(
      'authorization_resource_external_id_conflict',
      `A ${input.resource_type_slug} resource with external id '${input.external_id}' already exists.`,
    );
  }
  const now = world.nowIso();
  const resource: AuthorizationResourceWire = {
    object: 'authorization_resource',
    id: world.newId('authz_resource'),
    external_id: input.external_id,
    name: input.name,
    description: input.description ?? null,
    resource_type_slug: input.resource_type_slug,
    organization_id: input.organization_id,
    parent_resource_id: parent.resource_type_slug === ORGANIZATION_TYPE ? null : parent.id,
    created_at: now,
    updated_at: now,
  };
  world.authorizationResources.set(resource.id, resource);
  return { ...resource };
}

export function getResource(ctx: EmulatorContext, id: string): AuthorizationResourceWire {
  return { ...requireResource(ctx, id) };
}

export function getResourceByExternalId(ctx: EmulatorContext, orgId: string, type: string, externalId: string) {
  return { ...requireResourceByExternalId(ctx, orgId, type, externalId) };
}

function update(ctx: EmulatorContext, resource: AuthorizationResourceWire, body: unknown): AuthorizationResourceWire {
  const input = parseInput(UpdateInput, body);
  if (input.name !== undefined) resource.name = input.name;
  if (input.description !== undefined) resource.description = input.description;
  resource.updated_at = ctx.world.nowIso();
  return { ...resource };
}

export function updateResource(ctx: EmulatorContext, id: string, body: unknown) {
  return update(ctx, requireResource(ctx, id), body);
}

export function updateResourceByExternalId(
  ctx: EmulatorContext,
  orgId: string,
  type: string,
  externalId: string,
  body: unknown,
) {
  return update(ctx, requireResourceByExternalId(ctx, orgId, type, externalId), body);
}

function remove(ctx: EmulatorContext, resource: AuthorizationResourceWire, cascade: boolean): void {
  const { world } = ctx;
  const subtree: string[] = [];
  const walk = (node: ResourceNode) => {
    subtree.push(node.id);
    for (const child of childrenOf(ctx, node)) walk(toNode(child));
  };
  walk(toNode(resource));
  const assignments = [...world.roleAssignments.values()].filter((a) => subtree.includes(a.resource_id));
  if (!cascade && (subtree.length > 1 || assignments.length > 0)) {
    throw conflict(
      'resource_has_dependents',
      'The resource has child resources or role assignments; delete with cascade_delete=true.',
    );
  }
  for (const a of assignments) world.roleAssignments.delete(a.id);
  for (const id of subtree) world.authorizationResources.delete(id);
}

/** `cascade_delete` is a boolean query parameter: anything but true/false is refused, not ignored. */
export function parseCascade(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw invalid('cascade_delete', 'cascade_delete must be true or false.');
}

export function deleteResource(ctx: EmulatorContext, id: string, cascade: boolean): void {
  remove(ctx, requireResource(ctx, id), cascade);
}

export function deleteResourceByExternalId(
  ctx: EmulatorContext,
  orgId: string,
  type: string,
  externalId: string,
  cascade: boolean,
): void {
  remove(ctx, requireResourceByExternalId(ctx, orgId, type, externalId), cascade);
}

export interface ResourceFilters {
  organization_id?: string;
  resource_type_slug?: string;
  resource_external_id?: string;
  parent_resource_id?: string;
  parent_resource_type_slug?: string;
  parent_external_id?: string;
  search?: string;
}

export function listResources(ctx: EmulatorContext, filters: ResourceFilters, params: ListParams) {
  const byParentExternal = filters.parent_resource_type_slug !== undefined || filters.parent_external_id !== undefined;
  if (filters.parent_resource_id !== undefined && byParentExternal) {
    throw invalid('parent_resource_id', 'parent_resource_id and parent_external_id are mutually exclusive.');
  }
  if (byParentExternal && (!filters.parent_resource_type_slug || !filters.parent_external_id)) {
    throw invalid('parent_external_id', 'parent_external_id and parent_resource_type_slug go together.');
  }
  const search = filters.search?.toLowerCase();
  const parentMatches = (r: AuthorizationResourceWire) => {
    if (filters.parent_resource_id !== undefined) {
      return (r.parent_resource_id ?? r.organization_id) === filters.parent_resource_id;
    }
    if (!byParentExternal) return true;
    if (filters.parent_resource_type_slug === ORGANIZATION_TYPE) {
      return r.parent_resource_id === null && r.organization_id === filters.parent_external_id;
    }
    const parent = r.parent_resource_id ? ctx.world.authorizationResources.get(r.parent_resource_id) : undefined;
    return (
      parent?.resource_type_slug === filters.parent_resource_type_slug &&
      parent?.external_id === filters.parent_external_id
    );
  };
  const items = [...ctx.world.authorizationResources.values()].filter(
    (r) =>
      (!filters.organization_id || r.organization_id === filters.organization_id) &&
      (!filters.resource_type_slug || r.resource_type_slug === filters.resource_type_slug) &&
      (!filters.resource_external_id || r.external_id === filters.resource_external_id) &&
      (!search || r.name.toLowerCase().includes(search)) &&
      parentMatches(r),
  );
  return paginate(items, params, (r) => ({ ...r }));
}
