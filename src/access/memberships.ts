// Who a user is in an organization, from the local mirror (organization_memberships, roles,
// organization_roles) rather than from token claims: a role change or deactivation mirrored from
// a webhook takes effect on the next resolution, not when the provider's token expires.
//
// Exported API: loadMembership(db, organizationId, userId, catalogue),
//               isSuperAdmin(db, superAdminOrg, userId, catalogue), loadSignInPolicy,
//               organizationIsLive(db, organizationId)
import type { Kysely } from 'kysely';
import type { SignInPolicy } from '../core/sign-in-policy.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import { SUPERADMIN_PERMISSION } from '../core/permissions.ts';
import type { Database } from '../store/schema.ts';
import { asSystem, inTenant } from '../store/tenant.ts';

export type MembershipLookup =
  | { ok: true; role: string; permissions: string[] }
  | { ok: false; reason: 'not_member' | 'inactive' | 'user_deleted' | 'organization_deleted' };

export async function loadMembership(
  db: Kysely<Database>,
  organizationId: string,
  userId: string,
  catalogue: PermissionCatalogue,
): Promise<MembershipLookup> {
  return inTenant(db, organizationId, async (tx) => {
    const org = await tx
      .selectFrom('organizations')
      .select(['deleted_at'])
      .where('id', '=', organizationId)
      .executeTakeFirst();
    if (!org || org.deleted_at) return { ok: false, reason: 'organization_deleted' } as const;
    const row = await tx
      .selectFrom('organization_memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .leftJoin('organization_roles as orole', (j) =>
        j.onRef('orole.organization_id', '=', 'm.organization_id').onRef('orole.slug', '=', 'm.role_slug'),
      )
      .leftJoin('roles as r', 'r.slug', 'm.role_slug')
      .select([
        'm.role_slug',
        'm.status',
        'u.deleted_at as user_deleted_at',
        'orole.permissions as org_permissions',
        'r.permissions as builtin_permissions',
      ])
      .where('m.organization_id', '=', organizationId)
      .where('m.user_id', '=', userId)
      .where('m.deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'not_member' } as const;
    if (row.user_deleted_at) return { ok: false, reason: 'user_deleted' } as const;
    if (row.status !== 'active') return { ok: false, reason: 'inactive' } as const;
    // A custom role of the organization wins over a built-in one of the same slug.
    const builtIn = row.org_permissions === null && row.builtin_permissions !== null;
    const stored = row.org_permissions ?? row.builtin_permissions ?? [];
    const permissions = catalogue.grantedBy({ slug: row.role_slug, builtIn }, stored);
    return { ok: true, role: row.role_slug, permissions } as const;
  });
}

/**
 * Super-admins are active members of GATEHOUSE_SUPERADMIN_ORG whose role there carries
 * `tenants:admin`. Threat: membership alone made every member of the operator's own organization
 * (a support intern with role `member`) an admin of every tenant.
 */
export async function isSuperAdmin(
  db: Kysely<Database>,
  superAdminOrg: string | undefined,
  userId: string,
  catalogue: PermissionCatalogue,
): Promise<boolean> {
  if (!superAdminOrg) return false;
  const found = await loadMembership(db, superAdminOrg, userId, catalogue);
  return found.ok && holdsSuperAdmin(found.permissions);
}

export function holdsSuperAdmin(permissions: readonly string[]): boolean {
  return permissions.includes(SUPERADMIN_PERMISSION);
}

export async function organizationIsLive(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  const org = await asSystem(db, 'check the organization of a machine credential', (tx) =>
    tx.selectFrom('organizations').select(['deleted_at']).where('id', '=', organizationId).executeTakeFirst(),
  );
  return org !== undefined && org.deleted_at === null;
}

/** The organization's sign-in policy (sso_configs); an organization without a row enforces nothing. */
export async function loadSignInPolicy(db: Kysely<Database>, organizationId: string): Promise<SignInPolicy> {
  const row = await inTenant(db, organizationId, (tx) =>
    tx
      .selectFrom('sso_configs')
      .select(['enabled', 'enforced', 'connection_id'])
      .where('organization_id', '=', organizationId)
      .executeTakeFirst(),
  );
  return { enabled: row?.enabled ?? false, enforced: row?.enforced ?? false, connectionId: row?.connection_id ?? null };
}
