// The organization-admin port when Gatehouse itself is the source of truth for memberships
// (AUTH_PROVIDER=local or oidc, no WorkOS): a member's role, deactivation, reactivation and removal
// are written to the store directly, in one transaction with the revocation they cause. The threat
// is a removed or demoted member keeping access: the change publishes the membership revocation
// inside its transaction (refused by this instance on the very next request, by others through
// NOTIFY), revokes the member's personal API keys there too, and marks their sessions revoked
// right after commit. The admin's own audit entry is written by organizations/member-admin.ts.
// Invitations, the admin portal and provisioning evaluation tenants stay WorkOS features: they
// answer 503 PROVIDER_UNAVAILABLE as before (a pending membership and the email code invite here).
//
// Exported API: createStoreOrganizationAdmin({ db, revokeApiKey, sessions }) -> OrganizationAdmin.
import { sql, type Kysely, type Updateable } from 'kysely';
import type { AuditActor } from '../../audit/chain.ts';
import { AppError } from '../../core/errors.ts';
import { publishRevocation } from '../../sessions/revocation-bus.ts';
import type { Database, OrganizationMembershipsTable } from '../../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../../store/tenant.ts';
import type { AdminMembership, OrganizationAdmin } from '../organization-admin.ts';

export interface StoreOrganizationAdminDeps {
  db: Kysely<Database>;
  /** access/api-keys.ts revokeApiKey: audited, published on the bus, inside our transaction. */
  revokeApiKey(
    tx: Tx,
    input: { organizationId: string; apiKeyId: string; actor: AuditActor; reason?: string },
  ): Promise<boolean>;
  sessions?:
    | { revokeAllForUser(userId: string, organizationId: string, actor: AuditActor, reason?: string): Promise<number> }
    | undefined;
}

const ACTOR: AuditActor = { type: 'system', id: null };

type Change = { role_slug: string } | { status: 'active' | 'inactive' } | { removed: true };

export function createStoreOrganizationAdmin(deps: StoreOrganizationAdminDeps): OrganizationAdmin {
  const { db } = deps;
  const notHere = (what: string) => () =>
    Promise.reject(
      new AppError('PROVIDER_UNAVAILABLE', `${what} needs WorkOS administration (WORKOS_API_KEY, WORKOS_CLIENT_ID)`),
    );

  const change = async (membershipId: string, what: Change): Promise<AdminMembership> => {
    // The caller (member-admin.ts) found the membership in the admin's own organization first.
    const found = await asSystem(db, 'membership change', (tx) =>
      tx
        .selectFrom('organization_memberships')
        .select('organization_id')
        .where('id', '=', membershipId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    );
    if (!found) throw new AppError('RESOURCE_NOT_FOUND', 'No member with that id in this organization');
    const orgId = found.organization_id;
    const ends = 'removed' in what || ('status' in what && what.status === 'inactive');
    const row = await inTenant(db, orgId, async (tx) => {
      const set: Updateable<OrganizationMembershipsTable> =
        'removed' in what ? { status: 'inactive', deleted_at: new Date() } : what;
      const updated = await tx
        .updateTable('organization_memberships')
        .set({ ...set, updated_at: sql`now()` })
        .where('organization_id', '=', orgId)
        .where('id', '=', membershipId)
        .where('deleted_at', 'is', null)
        .returning(['id', 'user_id', 'organization_id', 'role_slug', 'status', 'updated_at'])
        .executeTakeFirstOrThrow();
      // Any change can lower what the member may do: cached credentials re-resolve everywhere.
      await publishRevocation(tx, { kind: 'membership', organizationId: orgId, userId: updated.user_id });
      if (ends) {
        const keys = await tx
          .selectFrom('api_keys')
          .select('id')
          .where('organization_id', '=', orgId)
          .where('owner_user_id', '=', updated.user_id)
          .where('revoked_at', 'is', null)
          .execute();
        for (const k of keys)
          await deps.revokeApiKey(tx, {
            organizationId: orgId,
            apiKeyId: k.id,
            actor: ACTOR,
            reason: 'membership_removed',
          });
      }
      return updated;
    });
    if (ends) await deps.sessions?.revokeAllForUser(row.user_id, orgId, ACTOR, 'membership_removed');
    return {
      id: row.id,
      userId: row.user_id,
      organizationId: row.organization_id,
      roleSlug: row.role_slug,
      status: row.status as AdminMembership['status'],
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  };

  return {
    updateMembershipRole: (id, role) => change(id, { role_slug: role }),
    deactivateMembership: (id) => change(id, { status: 'inactive' }),
    reactivateMembership: (id) => change(id, { status: 'active' }),
    deleteMembership: async (id) => {
      await change(id, { removed: true });
    },
    // No provider holds roles: the store's role row is the whole role, so there is nothing to copy
    // anywhere ('updated' = nothing newly created elsewhere, nothing to audit).
    syncRole: async () => 'updated',
    deleteRole: async () => {},
    generatePortalLink: notHere('The admin portal'),
    sendInvitation: notHere('Sending invitations'),
    listInvitations: notHere('Listing invitations'),
    resendInvitation: notHere('Resending invitations'),
    revokeInvitation: notHere('Revoking invitations'),
    createOrganization: notHere('Provisioning organizations'),
    findOrganizationByExternalId: notHere('Provisioning organizations'),
    createMagicAuth: notHere('Magic auth'),
  };
}
