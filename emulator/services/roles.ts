// Roles and permissions. Environment roles (`admin`, `member` by default) apply to every
// organization; organization roles (slug `org-*`) belong to one. A membership's role slug must
// name either an environment role or one of its organization's roles.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { PermissionWire, RoleWire } from '../state/types.ts';
import { EmulatorError, conflict, notFound, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';

const slug = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[a-z0-9][a-z0-9:_.-]*$/, 'slug must be lowercase letters, digits, : _ . -');

const CreateRoleInput = z.object({
  slug,
  name: z.string().min(1).max(48),
  description: z.string().nullish(),
  resource_type_slug: z.string().optional(),
});
const CreateOrgRoleInput = CreateRoleInput.extend({ slug: slug.optional() });
const UpdateRoleInput = z.object({
  name: z.string().min(1).max(48).optional(),
  description: z.string().nullish(),
});
const SetPermissionsInput = z.object({ permissions: z.array(z.string()) });
const AddPermissionInput = z.object({ slug: z.string().min(1) });
const CreatePermissionInput = z.object({
  slug,
  name: z.string().min(1).max(48),
  description: z.string().nullish(),
  resource_type_slug: z.string().optional(),
});
const UpdatePermissionInput = z.object({
  name: z.string().min(1).max(48).optional(),
  description: z.string().nullish(),
});

export const DEFAULT_ROLE_SLUG = 'member';

/** The environment roles every WorkOS environment starts with. Idempotent. */
export function ensureDefaultRoles(ctx: EmulatorContext): void {
  for (const [slugValue, name] of [
    ['admin', 'Admin'],
    ['member', 'Member'],
  ] as const) {
    if (!findEnvironmentRole(ctx, slugValue))
      insertRole(ctx, null, { slug: slugValue, name, description: null }, false);
  }
}

function insertRole(
  ctx: EmulatorContext,
  orgId: string | null,
  input: {
    slug: string;
    name: string;
    description?: string | null | undefined;
    permissions?: string[];
    resource_type_slug?: string | undefined;
  },
  announce: boolean,
): RoleWire {
  const { world } = ctx;
  const now = world.nowIso();
  const role: RoleWire = {
    object: 'role',
    id: world.newId('role'),
    slug: input.slug,
    name: input.name,
    description: input.description ?? null,
    type: orgId ? 'OrganizationRole' : 'EnvironmentRole',
    // A role scoped to another resource type is granted on resources of that type (role assignments).
    resource_type_slug: input.resource_type_slug ?? 'organization',
    permissions: input.permissions ?? [],
    created_at: now,
    updated_at: now,
  };
  world.roles.set(role.id, role);
  if (orgId) world.roleOrganization.set(role.id, orgId);
  if (announce) world.emit(orgId ? 'organization_role.created' : 'role.created', roleEventData(ctx, role));
  return role;
}

function roleEventData(ctx: EmulatorContext, role: RoleWire) {
  const orgId = ctx.world.roleOrganization.get(role.id);
  // Organization role events name their object `organization_role` (the API object is `role`).
  return orgId ? { ...role, object: 'organization_role', organization_id: orgId } : { ...role };
}

export function findEnvironmentRole(ctx: EmulatorContext, slugValue: string): RoleWire | undefined {
  for (const role of ctx.world.roles.values()) {
    if (role.slug === slugValue && !ctx.world.roleOrganization.has(role.id)) return role;
  }
  return undefined;
}

function findOrganizationRole(ctx: EmulatorContext, orgId: string, slugValue: string): RoleWire | undefined {
  for (const role of ctx.world.roles.values()) {
    if (role.slug === slugValue && ctx.world.roleOrganization.get(role.id) === orgId) return role;
  }
  return undefined;
}

/** The role a slug means inside an organization: its own role first, then the environment's. */
export function resolveRole(ctx: EmulatorContext, orgId: string, slugValue: string): RoleWire | undefined {
  return findOrganizationRole(ctx, orgId, slugValue) ?? findEnvironmentRole(ctx, slugValue);
}

/** Throws 422 unless every slug names a role usable in the organization. */
export function assertRoleSlugs(
  ctx: EmulatorContext,
  orgId: string,
  slugs: string[],
  field: string,
  status: 400 | 422 = 422,
): void {
  for (const s of slugs) {
    // A membership's role applies to the organization: roles scoped to other resource types are
    // granted on resources through role assignments instead.
    if (resolveRole(ctx, orgId, s)?.resource_type_slug !== 'organization') {
      throw new EmulatorError(status, {
        code: 'invalid_role',
        message: `Role '${s}' does not exist.`,
        errors: [{ field, code: 'invalid_role' }],
      });
    }
  }
}

/** Union of permissions granted by the given role slugs in an organization. */
export function permissionsFor(ctx: EmulatorContext, orgId: string, slugs: string[]): string[] {
  const out = new Set<string>();
  for (const s of slugs) for (const p of resolveRole(ctx, orgId, s)?.permissions ?? []) out.add(p);
  return [...out].sort();
}

export function listEnvironmentRoles(ctx: EmulatorContext) {
  const data = [...ctx.world.roles.values()]
    .filter((r) => !ctx.world.roleOrganization.has(r.id))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return { object: 'list' as const, data: data.map((r) => ({ ...r, permissions: [...r.permissions] })) };
}

/** Environment roles followed by the organization's own roles, as WorkOS lists them. */
export function listOrganizationRoles(ctx: EmulatorContext, orgId: string) {
  requireOrganization(ctx, orgId);
  const env = listEnvironmentRoles(ctx).data;
  const own = [...ctx.world.roles.values()]
    .filter((r) => ctx.world.roleOrganization.get(r.id) === orgId)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return { object: 'list' as const, data: [...env, ...own.map((r) => ({ ...r, permissions: [...r.permissions] }))] };
}

function requireRole(ctx: EmulatorContext, orgId: string | null, slugValue: string): RoleWire {
  const role = orgId ? findOrganizationRole(ctx, orgId, slugValue) : findEnvironmentRole(ctx, slugValue);
  if (!role) throw notFound('Role', slugValue);
  return role;
}

export function createRole(ctx: EmulatorContext, orgId: string | null, body: unknown): RoleWire {
  if (orgId) requireOrganization(ctx, orgId);
  const input = parseInput(orgId ? CreateOrgRoleInput : CreateRoleInput, body);
  const slugValue =
    input.slug ??
    `org-${input.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}`;
  if (orgId && !slugValue.startsWith('org-')) {
    throw unprocessable([
      { field: 'slug', code: 'invalid_slug', message: "Organization role slugs must start with 'org-'." },
    ]);
  }
  if (orgId ? findOrganizationRole(ctx, orgId, slugValue) : findEnvironmentRole(ctx, slugValue)) {
    throw conflict(
      orgId ? 'organization_role_slug_conflict' : 'role_slug_conflict',
      `A role with slug '${slugValue}' already exists.`,
    );
  }
  const fields = {
    slug: slugValue,
    name: input.name,
    description: input.description,
    resource_type_slug: input.resource_type_slug,
  };
  return { ...insertRole(ctx, orgId, fields, true) };
}

export function getRole(ctx: EmulatorContext, orgId: string | null, slugValue: string): RoleWire {
  if (orgId) requireOrganization(ctx, orgId);
  return { ...requireRole(ctx, orgId, slugValue) };
}

export function updateRole(ctx: EmulatorContext, orgId: string | null, slugValue: string, body: unknown): RoleWire {
  const input = parseInput(UpdateRoleInput, body);
  const role = requireRole(ctx, orgId, slugValue);
  if (input.name !== undefined) role.name = input.name;
  if (input.description !== undefined) role.description = input.description;
  role.updated_at = ctx.world.nowIso();
  ctx.world.emit(orgId ? 'organization_role.updated' : 'role.updated', roleEventData(ctx, role));
  return { ...role };
}

export function deleteRole(ctx: EmulatorContext, orgId: string, slugValue: string): void {
  const role = requireRole(ctx, orgId, slugValue);
  const inUse = [...ctx.world.memberships.values()].some(
    (m) => m.organization_id === orgId && m.roles.some((r) => r.slug === slugValue),
  );
  if (inUse) throw conflict('role_has_assignments', `Role '${slugValue}' is assigned to organization members.`);
  ctx.world.roles.delete(role.id);
  ctx.world.emit('organization_role.deleted', roleEventData(ctx, role));
  ctx.world.roleOrganization.delete(role.id);
}

function assertPermissionsExist(ctx: EmulatorContext, slugs: string[]): void {
  const known = new Set([...ctx.world.permissions.values()].map((p) => p.slug));
  for (const s of slugs)
    if (!known.has(s))
      throw unprocessable([
        { field: 'permissions', code: 'permission_not_found', message: `Permission '${s}' does not exist.` },
      ]);
}

export function setRolePermissions(
  ctx: EmulatorContext,
  orgId: string | null,
  slugValue: string,
  body: unknown,
): RoleWire {
  const input = parseInput(SetPermissionsInput, body);
  const role = requireRole(ctx, orgId, slugValue);
  assertPermissionsExist(ctx, input.permissions);
  role.permissions = [...new Set(input.permissions)];
  role.updated_at = ctx.world.nowIso();
  ctx.world.emit(orgId ? 'organization_role.updated' : 'role.updated', roleEventData(ctx, role));
  return { ...role };
}

export function addRolePermission(
  ctx: EmulatorContext,
  orgId: string | null,
  slugValue: string,
  body: unknown,
): RoleWire {
  const input = parseInput(AddPermissionInput, body);
  const role = requireRole(ctx, orgId, slugValue);
  return setRolePermissions(ctx, orgId, slugValue, { permissions: [...role.permissions, input.slug] });
}

export function removeRolePermission(
  ctx: EmulatorContext,
  orgId: string,
  slugValue: string,
  permission: string,
): RoleWire {
  const role = requireRole(ctx, orgId, slugValue);
  return setRolePermissions(ctx, orgId, slugValue, { permissions: role.permissions.filter((p) => p !== permission) });
}

function requirePermission(ctx: EmulatorContext, slugValue: string): PermissionWire {
  for (const p of ctx.world.permissions.values()) if (p.slug === slugValue) return p;
  throw notFound('Permission', slugValue);
}

export function createPermission(ctx: EmulatorContext, body: unknown): PermissionWire {
  const input = parseInput(CreatePermissionInput, body);
  const { world } = ctx;
  if ([...world.permissions.values()].some((p) => p.slug === input.slug)) {
    throw conflict('permission_slug_conflict', `A permission with slug '${input.slug}' already exists.`);
  }
  const now = world.nowIso();
  const permission: PermissionWire = {
    object: 'permission',
    id: world.newId('perm'),
    slug: input.slug,
    name: input.name,
    description: input.description ?? null,
    system: false,
    resource_type_slug: input.resource_type_slug ?? 'organization',
    created_at: now,
    updated_at: now,
  };
  world.permissions.set(permission.id, permission);
  world.emit('permission.created', permission);
  return { ...permission };
}

export function getPermission(ctx: EmulatorContext, slugValue: string): PermissionWire {
  return { ...requirePermission(ctx, slugValue) };
}

export function listPermissions(ctx: EmulatorContext, params: ListParams) {
  return paginate(ctx.world.permissions.values(), params, (p) => ({ ...p }));
}

export function updatePermission(ctx: EmulatorContext, slugValue: string, body: unknown): PermissionWire {
  const input = parseInput(UpdatePermissionInput, body);
  const permission = requirePermission(ctx, slugValue);
  if (input.name !== undefined) permission.name = input.name;
  if (input.description !== undefined) permission.description = input.description;
  permission.updated_at = ctx.world.nowIso();
  ctx.world.emit('permission.updated', permission);
  return { ...permission };
}

/** Removing a permission also takes it out of every role that granted it. */
export function deletePermission(ctx: EmulatorContext, slugValue: string): void {
  const permission = requirePermission(ctx, slugValue);
  ctx.world.permissions.delete(permission.id);
  for (const role of ctx.world.roles.values()) role.permissions = role.permissions.filter((p) => p !== slugValue);
  ctx.world.emit('permission.deleted', permission);
}
