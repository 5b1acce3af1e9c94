// The administration side of the identity provider: what an organization's admin changes through
// WorkOS (membership roles and status, invitations, the admin portal, evaluation tenants). Kept
// apart from the sign-in port (provider.ts) so each adapter can grow either side on its own.
// Changes come back into the mirror through webhooks; the API also applies the answer at once so
// the admin sees it (the same row versioning keeps the later webhook from going backwards).

export type PortalIntent =
  | 'sso'
  | 'dsync'
  | 'audit_logs'
  | 'log_streams'
  | 'domain_verification'
  | 'certificate_renewal';
export const PORTAL_INTENTS: readonly PortalIntent[] = [
  'sso',
  'dsync',
  'audit_logs',
  'log_streams',
  'domain_verification',
  'certificate_renewal',
];

export interface AdminMembership {
  id: string;
  userId: string;
  organizationId: string;
  roleSlug: string;
  status: 'pending' | 'active' | 'inactive';
  updatedAt: string;
}

export interface AdminInvitation {
  id: string;
  email: string;
  state: 'pending' | 'accepted' | 'expired' | 'revoked';
  organizationId: string | null;
  roleSlug: string | null;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface AdminOrganization {
  id: string;
  name: string;
  externalId: string | null;
  domains: string[];
  updatedAt: string;
}

/** A Gatehouse custom role as WorkOS keeps it: an organization role (see core/role-slugs.ts). */
export interface ProviderRoleInput {
  organizationId: string;
  /** Gatehouse's slug; the adapter spells it the WorkOS way. */
  slug: string;
  name: string;
  description: string;
}

export interface OrganizationAdmin {
  /**
   * Creates the organization role at WorkOS, or brings its name and description up to date when it
   * already exists. Idempotent: 'created' only for the call that made it.
   */
  syncRole(input: ProviderRoleInput): Promise<'created' | 'updated'>;
  /** Deletes the organization role at WorkOS; one that is already gone is not an error. */
  deleteRole(organizationId: string, slug: string): Promise<void>;
  generatePortalLink(input: {
    organizationId: string;
    intent: PortalIntent;
    returnUrl?: string | undefined;
  }): Promise<{ link: string }>;
  updateMembershipRole(membershipId: string, roleSlug: string): Promise<AdminMembership>;
  deactivateMembership(membershipId: string): Promise<AdminMembership>;
  reactivateMembership(membershipId: string): Promise<AdminMembership>;
  deleteMembership(membershipId: string): Promise<void>;
  sendInvitation(input: {
    organizationId: string;
    email: string;
    roleSlug: string;
    inviterUserId?: string | undefined;
  }): Promise<AdminInvitation>;
  listInvitations(organizationId: string): Promise<AdminInvitation[]>;
  resendInvitation(invitationId: string): Promise<AdminInvitation>;
  revokeInvitation(invitationId: string): Promise<AdminInvitation>;
  createOrganization(input: {
    name: string;
    externalId?: string | undefined;
    domains?: string[] | undefined;
  }): Promise<AdminOrganization>;
  findOrganizationByExternalId(externalId: string): Promise<AdminOrganization | null>;
  createMagicAuth(email: string): Promise<void>;
}
