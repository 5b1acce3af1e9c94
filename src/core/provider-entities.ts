// The identity provider's organization, user and membership in our own camelCase domain types:
// what the IdentityProvider port (identity/provider.ts) answers and what a sign-in writes into
// the mirror (mirror/sign-in-copy.ts).

export interface ProviderUser {
  id: string;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  /** The provider's `updated_at`, so the mirror never goes back in time. */
  updatedAt: string | null;
}

export interface ProviderOrganization {
  id: string;
  name: string;
  domains: Array<{ domain: string; state: string }>;
}

export interface ProviderMembership {
  id: string;
  userId: string;
  organizationId: string;
  roleSlug: string;
  status: 'pending' | 'active' | 'inactive';
  updatedAt: string | null;
}
