// Custom roles at WorkOS. Decision: a Gatehouse custom role IS a WorkOS organization role. WorkOS
// documents organization ("custom") roles as the way to give one organization roles of its own,
// assignable to memberships, invitations, directory users and SSO profiles, and it answers 422 to a
// membership or invitation naming a role it does not know. Keeping such roles only in Gatehouse
// would mean writing a different role into the mirror than WorkOS holds, and every webhook, sign-in
// and reconciliation would then take it back. So in WorkOS mode each create/update/delete of a
// custom role is made at WorkOS too (through the OrganizationAdmin port, the unmodified SDK), and a
// role made before this, or while WorkOS was refusing, is created on first use (assigning it) or by
// `gatehouse reconcile`. Gatehouse still decides what the role *grants*: permissions stay here,
// read through the install's catalogue, so WorkOS needs no copy of the app's permission list.
// With AUTH_PROVIDER=local or oidc there is no OrganizationAdmin and nothing is called.
import type { Kysely } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuditActor } from '../audit/chain.ts';
import { AppError } from '../core/errors.ts';
import { isBuiltInRoleSlug, PROVIDER_ROLE_SLUG_MAX, providerRoleSlug } from '../core/role-slugs.ts';
import type { OrganizationAdmin } from '../identity/organization-admin.ts';
import type { Database } from '../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../store/tenant.ts';

export type ProviderRoles = Pick<OrganizationAdmin, 'syncRole' | 'deleteRole'>;

/** Refuses, before anything is written, a slug WorkOS could not hold. */
export function requireProviderSlug(slug: string): void {
  if (providerRoleSlug(slug).length > PROVIDER_ROLE_SLUG_MAX)
    throw new AppError(
      'ROLE_SLUG_TOO_LONG',
      `Role slug "${slug}" is too long for WorkOS, which spells it "${providerRoleSlug(slug)}": ` +
        `at most ${PROVIDER_ROLE_SLUG_MAX} characters there`,
    );
}

/**
 * Makes the custom role exist at WorkOS before a membership or invitation names it, and audits the
 * creation when this call made it. Built-in roles are WorkOS environment roles: nothing to do.
 */
export async function ensureProviderRole(
  db: Kysely<Database>,
  provider: ProviderRoles,
  organizationId: string,
  slug: string,
  actor: AuditActor,
): Promise<void> {
  if (isBuiltInRoleSlug(slug)) return;
  const role = await inTenant(db, organizationId, (tx) => customRole(tx, organizationId, slug));
  if (!role) return; // the caller has already refused unknown roles
  const outcome = await provider.syncRole({ organizationId, ...role });
  if (outcome === 'created')
    await inTenant(db, organizationId, (tx) => auditCreatedAtProvider(tx, organizationId, slug, actor));
}

function customRole(tx: Tx, organizationId: string, slug: string) {
  return tx
    .selectFrom('organization_roles')
    .select(['slug', 'name', 'description'])
    .where('organization_id', '=', organizationId)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

function auditCreatedAtProvider(tx: Tx, organizationId: string, slug: string, actor: AuditActor) {
  return appendAuditEvent(tx, {
    organizationId,
    type: 'role.provider_created',
    actor,
    target: { type: 'role', id: slug },
    data: { provider: 'workos', providerSlug: providerRoleSlug(slug) },
  });
}

/** `gatehouse reconcile`: every custom role of every (or one) organization exists at WorkOS. */
export async function reconcileProviderRoles(
  db: Kysely<Database>,
  provider: ProviderRoles,
  organizationId?: string,
): Promise<{ created: number; checked: number }> {
  // Tenant by tenant: organization_roles sits behind row-level security.
  const orgs = organizationId
    ? [{ id: organizationId }]
    : await asSystem(db, 'reconciliation walks every tenant', (tx) =>
        tx.selectFrom('organizations').select('id').where('deleted_at', 'is', null).orderBy('id').execute(),
      );
  const roles = [];
  for (const org of orgs)
    roles.push(
      ...(await inTenant(db, org.id, (tx) =>
        tx
          .selectFrom('organization_roles')
          .select(['organization_id', 'slug', 'name', 'description'])
          .where('organization_id', '=', org.id)
          .orderBy('slug')
          .execute(),
      )),
    );
  let created = 0;
  for (const r of roles) {
    const outcome = await provider.syncRole({
      organizationId: r.organization_id,
      slug: r.slug,
      name: r.name,
      description: r.description,
    });
    if (outcome !== 'created') continue;
    created += 1;
    await inTenant(db, r.organization_id, (tx) =>
      auditCreatedAtProvider(tx, r.organization_id, r.slug, { type: 'system', id: 'reconcile' }),
    );
  }
  return { created, checked: roles.length };
}
