// The WorkOS adapter of the OrganizationAdmin port, over the unmodified SDK. Every failure goes
// through toAppError (src/identity/workos/errors.ts), the one mapper of SDK errors.
import { createWorkosClient } from './sdk-client.ts';
import { GenerateLinkIntent, type Invitation, type Organization } from '@workos-inc/node';
import type { AdminInvitation, AdminOrganization, OrganizationAdmin, PortalIntent } from '../organization-admin.ts';
import { toAppError } from './errors.ts';
import { providerRoleSlug } from '../../core/role-slugs.ts';
import { toMembership, type WorkosProviderOptions } from './workos-provider.ts';

const INTENTS: Record<PortalIntent, GenerateLinkIntent> = {
  sso: GenerateLinkIntent.SSO,
  dsync: GenerateLinkIntent.DSync,
  audit_logs: GenerateLinkIntent.AuditLogs,
  log_streams: GenerateLinkIntent.LogStreams,
  domain_verification: GenerateLinkIntent.DomainVerification,
  certificate_renewal: GenerateLinkIntent.CertificateRenewal,
};

function invitationOf(i: Invitation, roleSlug: string | null = null): AdminInvitation {
  return {
    id: i.id,
    email: i.email,
    state: i.state,
    organizationId: i.organizationId,
    roleSlug,
    expiresAt: i.expiresAt,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
  };
}

function organizationOf(o: Organization): AdminOrganization {
  return {
    id: o.id,
    name: o.name,
    externalId: o.externalId ?? null,
    domains: o.domains.map((d) => d.domain),
    updatedAt: o.updatedAt,
  };
}

export function createWorkosOrganizationAdmin(options: WorkosProviderOptions): OrganizationAdmin {
  const workos = createWorkosClient(options);
  const um = workos.userManagement;
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toAppError(error, operation);
    }
  };

  return {
    generatePortalLink: ({ organizationId, intent, returnUrl }) =>
      call('generate admin portal link', async () => ({
        link: (
          await workos.adminPortal.generateLink({
            organization: organizationId,
            intent: INTENTS[intent],
            ...(returnUrl ? { returnUrl } : {}),
          })
        ).link,
      })),
    syncRole: ({ organizationId, slug, name, description }) =>
      call('sync organization role', async () => {
        const roleSlug = providerRoleSlug(slug);
        try {
          await workos.authorization.createOrganizationRole(organizationId, { slug: roleSlug, name, description });
          return 'created' as const;
        } catch (error) {
          // Already there (an earlier attempt, another instance, reconciliation): make it match.
          if ((error as { status?: number }).status !== 409) throw error;
          await workos.authorization.updateOrganizationRole(organizationId, roleSlug, { name, description });
          return 'updated' as const;
        }
      }),
    deleteRole: (organizationId, slug) =>
      call('delete organization role', async () => {
        try {
          await workos.authorization.deleteOrganizationRole(organizationId, providerRoleSlug(slug));
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
        }
      }),
    updateMembershipRole: (id, roleSlug) =>
      call('update membership', async () =>
        toMembership(await um.updateOrganizationMembership(id, { roleSlug: providerRoleSlug(roleSlug) })),
      ),
    deactivateMembership: (id) =>
      call('deactivate membership', async () => toMembership(await um.deactivateOrganizationMembership(id))),
    reactivateMembership: (id) =>
      call('reactivate membership', async () => toMembership(await um.reactivateOrganizationMembership(id))),
    deleteMembership: (id) => call('delete membership', () => um.deleteOrganizationMembership(id)),
    sendInvitation: ({ organizationId, email, roleSlug, inviterUserId }) =>
      call('send invitation', async () =>
        invitationOf(
          await um.sendInvitation({
            organizationId,
            email,
            roleSlug: providerRoleSlug(roleSlug),
            ...(inviterUserId ? { inviterUserId } : {}),
          }),
          roleSlug,
        ),
      ),
    listInvitations: (organizationId) =>
      call('list invitations', async () =>
        (await (await um.listInvitations({ organizationId })).autoPagination()).map((i) => invitationOf(i)),
      ),
    resendInvitation: (id) => call('resend invitation', async () => invitationOf(await um.resendInvitation(id))),
    revokeInvitation: (id) => call('revoke invitation', async () => invitationOf(await um.revokeInvitation(id))),
    createOrganization: ({ name, externalId, domains }) =>
      call('create organization', async () =>
        organizationOf(
          await workos.organizations.createOrganization({
            name,
            ...(externalId ? { externalId } : {}),
            ...(domains?.length
              ? { domainData: domains.map((domain) => ({ domain, state: 'pending' as never })) }
              : {}),
          }),
        ),
      ),
    findOrganizationByExternalId: (externalId) =>
      call('get organization by external id', async () => {
        try {
          return organizationOf(await workos.organizations.getOrganizationByExternalId(externalId));
        } catch (error) {
          if ((error as { status?: number }).status === 404) return null;
          throw error;
        }
      }),
    createMagicAuth: (email) => call('create magic auth', async () => void (await um.createMagicAuth({ email }))),
  };
}
