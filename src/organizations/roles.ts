// Roles of an organization: the environment's built-in roles (admin, member) plus the custom roles
// an organization defines. A role's permissions are what every credential holding it may do: its
// stored slugs read through the install's permission catalogue (a slug the app no longer declares
// stays in the row but is not listed or granted; built-in roles add the app's defaults).
import { sql, type Kysely } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuditActor } from '../audit/chain.ts';
import { enforceGrant, grantError, type GrantingActor } from '../access/ceiling.ts';
import { decideGrant } from '../core/ceiling.ts';
import { AppError } from '../core/errors.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import { BUILT_IN_ROLES } from '../core/permissions.ts';
import type { Database } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { publishRevocation } from '../sessions/revocation-bus.ts';
import { type ProviderRoles, requireProviderSlug } from './provider-roles.ts';
import { providerRoleSlug, twinRoleSlug } from '../core/role-slugs.ts';

export interface Role {
  slug: string;
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
}

const BUILT_IN_SLUGS = new Set(BUILT_IN_ROLES.map((r) => r.slug));

export async function listRoles(tx: Tx, organizationId: string, catalogue: PermissionCatalogue): Promise<Role[]> {
  const builtIn = await tx.selectFrom('roles').selectAll().orderBy('slug').execute();
  const custom = await tx
    .selectFrom('organization_roles')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('slug')
    .execute();
  return [
    ...builtIn.map((r) => ({
      slug: r.slug,
      name: r.name,
      description: r.description,
      permissions: catalogue.grantedBy({ slug: r.slug, builtIn: true }, r.permissions),
      builtIn: true,
    })),
    ...custom.map((r) => ({
      slug: r.slug,
      name: r.name,
      description: r.description,
      permissions: catalogue.grantedBy({ slug: r.slug, builtIn: false }, r.permissions),
      builtIn: false,
    })),
  ];
}

/** The permissions a role grants in an organization, or undefined when the role does not exist. */
export async function permissionsOfRole(
  tx: Tx,
  organizationId: string,
  slug: string,
  catalogue: PermissionCatalogue,
): Promise<string[] | undefined> {
  const roles = await listRoles(tx, organizationId, catalogue);
  return roles.find((r) => r.slug === slug)?.permissions;
}

export interface RoleInput {
  slug: string;
  name: string;
  description?: string;
  permissions: string[];
}

/** Only permissions of the install's catalogue can be put into a role (Gatehouse's and the app's). */
function requireKnown(catalogue: PermissionCatalogue, permissions: readonly string[]): void {
  const unknown = permissions.filter((p) => !catalogue.has(p));
  if (unknown.length === 0) return;
  throw new AppError('REQUEST_INVALID', `Unknown permission ${unknown[0]}`, {
    details: {
      errors: [{ path: 'body.permissions', message: `not a permission of this install: ${unknown.join(', ')}` }],
    },
  });
}

export async function createRole(
  db: Kysely<Database>,
  organizationId: string,
  input: RoleInput,
  granter: GrantingActor,
  /** WorkOS mode: the role is made there too (see provider-roles.ts); absent, Gatehouse alone holds it. */
  provider?: ProviderRoles,
): Promise<Role> {
  if (BUILT_IN_SLUGS.has(input.slug)) throw new AppError('ROLE_BUILT_IN', `"${input.slug}" is a built-in role`);
  requireKnown(granter.catalogue, input.permissions);
  if (provider) requireProviderSlug(input.slug);
  await enforceGrant(db, organizationId, granter, {
    path: 'role.create',
    roleSlug: input.slug,
    permissions: input.permissions,
  });
  const actor = granter.actor;
  return inTenant(db, organizationId, async (tx) => {
    // `x` and `org-x` are one role at WorkOS (core/role-slugs.ts): only one of them may exist here.
    const twin = twinRoleSlug(input.slug);
    const twinRow = twin
      ? await tx
          .selectFrom('organization_roles')
          .select('slug')
          .where('organization_id', '=', organizationId)
          .where('slug', '=', twin)
          .executeTakeFirst()
      : undefined;
    if (twinRow)
      throw new AppError('ROLE_EXISTS', `A role "${twin}" already exists, and WorkOS would name both the same`);
    const inserted = await tx
      .insertInto('organization_roles')
      .values({
        organization_id: organizationId,
        slug: input.slug,
        name: input.name,
        description: input.description ?? '',
        permissions: [...new Set(input.permissions)],
      })
      .onConflict((oc) => oc.columns(['organization_id', 'slug']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) throw new AppError('ROLE_EXISTS', `A role "${input.slug}" already exists`);
    // Inside the transaction: when WorkOS refuses, the local row and its audit entry roll back.
    if (provider)
      await provider.syncRole({
        organizationId,
        slug: inserted.slug,
        name: inserted.name,
        description: inserted.description,
      });
    await appendAuditEvent(tx, {
      organizationId,
      type: 'role.created',
      actor,
      target: { type: 'role', id: input.slug },
      data: {
        permissions: inserted.permissions,
        ...(provider ? { provider: 'workos', providerSlug: providerRoleSlug(inserted.slug) } : {}),
      },
    });
    return {
      slug: inserted.slug,
      name: inserted.name,
      description: inserted.description,
      permissions: granter.catalogue.grantedBy({ slug: inserted.slug, builtIn: false }, inserted.permissions),
      builtIn: false,
    };
  });
}

export async function updateRole(
  db: Kysely<Database>,
  organizationId: string,
  slug: string,
  patch: Partial<Omit<RoleInput, 'slug'>>,
  granter: GrantingActor,
  provider?: ProviderRoles,
): Promise<Role> {
  if (BUILT_IN_SLUGS.has(slug)) throw new AppError('ROLE_BUILT_IN', 'Built-in roles cannot be changed');
  const actor = granter.actor;
  if (patch.permissions !== undefined) {
    requireKnown(granter.catalogue, patch.permissions);
    const previous = await inTenant(db, organizationId, (tx) =>
      tx
        .selectFrom('organization_roles')
        .select('permissions')
        .where('organization_id', '=', organizationId)
        .where('slug', '=', slug)
        .executeTakeFirst(),
    );
    if (!previous) throw new AppError('RESOURCE_NOT_FOUND', `No role "${slug}" in this organization`);
    await enforceGrant(db, organizationId, granter, {
      path: 'role.update',
      roleSlug: slug,
      permissions: patch.permissions,
      previous: previous.permissions,
    });
  }
  return inTenant(db, organizationId, async (tx) => {
    const before = await tx
      .selectFrom('organization_roles')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('slug', '=', slug)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('RESOURCE_NOT_FOUND', `No role "${slug}" in this organization`);
    // Checked again under the row lock: a concurrent edit between the check and here must not
    // turn a narrowing into a widening of the role the granter holds.
    const again =
      patch.permissions === undefined
        ? { ok: true as const }
        : decideGrant(granter, {
            path: 'role.update',
            roleSlug: slug,
            permissions: patch.permissions,
            previous: before.permissions,
          });
    if (!again.ok) throw grantError(again, 'role.update');
    const updated = await tx
      .updateTable('organization_roles')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.permissions !== undefined ? { permissions: [...new Set(patch.permissions)] } : {}),
        updated_at: sql<Date>`now()`,
      })
      .where('organization_id', '=', organizationId)
      .where('slug', '=', slug)
      .returningAll()
      .executeTakeFirstOrThrow();
    // WorkOS keeps the name and description (and creates a role it never had); a refusal rolls back.
    if (provider)
      await provider.syncRole({ organizationId, slug, name: updated.name, description: updated.description });
    await appendAuditEvent(tx, {
      organizationId,
      type: 'role.updated',
      actor,
      target: { type: 'role', id: slug },
      data: {
        before: { name: before.name, permissions: before.permissions },
        after: { name: updated.name, permissions: updated.permissions },
      },
    });
    // A removed permission must stop working now, not when cached credentials expire.
    if (before.permissions.some((p) => !updated.permissions.includes(p)))
      await publishRevocation(tx, { kind: 'role', organizationId, role: slug });
    return {
      slug: updated.slug,
      name: updated.name,
      description: updated.description,
      permissions: granter.catalogue.grantedBy({ slug: updated.slug, builtIn: false }, updated.permissions),
      builtIn: false,
    };
  });
}

export async function deleteRole(
  db: Kysely<Database>,
  organizationId: string,
  slug: string,
  actor: AuditActor,
  provider?: ProviderRoles,
): Promise<void> {
  if (BUILT_IN_SLUGS.has(slug)) throw new AppError('ROLE_BUILT_IN', 'Built-in roles cannot be deleted');
  await inTenant(db, organizationId, async (tx) => {
    const inUse = await tx
      .selectFrom('organization_memberships')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('role_slug', '=', slug)
      .where('deleted_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (inUse)
      throw new AppError('ROLE_IN_USE', `Role "${slug}" is still assigned to members; change their role first`);
    const deleted = await tx
      .deleteFrom('organization_roles')
      .where('organization_id', '=', organizationId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n)
      throw new AppError('RESOURCE_NOT_FOUND', `No role "${slug}" in this organization`);
    // One already gone at WorkOS is fine; any other refusal rolls the local delete back.
    if (provider) await provider.deleteRole(organizationId, slug);
    await appendAuditEvent(tx, { organizationId, type: 'role.deleted', actor, target: { type: 'role', id: slug } });
    // API keys may still name the role; what they cached must go with it.
    await publishRevocation(tx, { kind: 'role', organizationId, role: slug });
  });
}
