// The fine-grained authorization tree: one per organization, the organization itself at the root
// (type `organization`, addressed by the organization id), resources below it. Which resource types
// exist (declared, or named by a permission or role) and how a request names a node are decided here.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { AuthorizationResourceWire } from '../state/platform-types.ts';
import { EmulatorError, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { requireOrganization } from './organization-lookup.ts';

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

export function invalid(field: string, message: string): EmulatorError {
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

export function toNode(resource: AuthorizationResourceWire): ResourceNode {
  return {
    id: resource.id,
    external_id: resource.external_id,
    resource_type_slug: resource.resource_type_slug,
    organization_id: resource.organization_id,
    parent_id: resource.parent_resource_id ?? resource.organization_id,
  };
}

export function requireResource(ctx: EmulatorContext, id: string): AuthorizationResourceWire {
  const resource = ctx.world.authorizationResources.get(id);
  if (!resource) throw notFound('Resource', id);
  return resource;
}

export function findByExternalId(
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
