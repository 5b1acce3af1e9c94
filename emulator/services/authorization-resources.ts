// Fine-grained authorization resources: instances of resource types forming one tree per
// organization, the organization itself at the root. WorkOS's rules kept here: a resource's type
// must exist (declared, or named by a permission or role), `external_id` is unique per
// organization and type, a parent belongs to the same organization (and, for a declared type, is
// of an allowed parent type), and a resource with children or role assignments is deleted only
// with `cascade_delete`, which takes its whole subtree and their assignments with it.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { AuthorizationResourceWire } from '../state/platform-types.ts';
import { conflict, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';
import {
  ORGANIZATION_TYPE,
  childrenOf,
  findByExternalId,
  invalid,
  knownResourceType,
  organizationNode,
  requireResource,
  requireResourceByExternalId,
  resolveNode,
  toNode,
  type ResourceNode,
} from './authorization-tree.ts';

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

const UpdateInput = z
  .object({
    name: z.string().min(1).max(48).optional(),
    description: z.string().max(150).nullish(),
  })
  .strict();

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
