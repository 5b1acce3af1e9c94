// The IdentityProvider port (DESIGN.md §1): everything sign-in needs from WorkOS AuthKit (or, later,
// a direct OIDC provider or the built-in email code), in our own camelCase domain types. Sign-in
// routes and services depend on this interface only; src/identity/workos/ implements it over the
// official SDK.
//
// Authentication calls do not throw for the answers that are steps of a sign-in (choose an
// organization, use SSO, verify the email, MFA): they return them as a `SignInOutcome`, because
// the callback turns each into its own page. Everything else the provider refuses is an AppError
// with a PROVIDER_* code and `retryable` set when trying again later may work.

// The entities themselves are core/provider-entities.ts: the mirror writes them too.
import type { ProviderMembership, ProviderOrganization, ProviderUser } from '../core/provider-entities.ts';
export type { ProviderMembership, ProviderOrganization, ProviderUser };

export interface ProviderConnection {
  id: string;
  organizationId: string | null;
  /** e.g. GenericSAML, OktaSAML, GoogleOAuth. */
  type: string;
  name: string;
  state: 'active' | 'inactive' | 'draft' | 'validating' | string;
}

/** How the provider authenticated the person; only `sso` satisfies SSO enforcement. */
export type SignInMethodKind =
  | 'sso'
  | 'password'
  | 'magic_auth'
  | 'oauth'
  | 'passkey'
  | 'impersonation'
  | 'email_code'
  | 'other';

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
}

export interface SignInResult extends TokenSet {
  user: ProviderUser;
  organizationId: string | null;
  /** The provider's own name for the method (WorkOS: `SSO`, `Password`, `MagicAuth`, `GoogleOAuth`…). */
  authenticationMethod?: string | undefined;
  method: SignInMethodKind;
  /** The provider's session id (WorkOS: the access token's `sid`), to end it at logout. */
  providerSessionId: string | null;
  impersonator: { email: string; reason: string | null } | null;
}

export type SignInOutcome =
  | { kind: 'authenticated'; result: SignInResult }
  | {
      kind: 'organization_selection_required';
      /** Secret: redeem with `authenticateWithOrganizationSelection`; never log or render it. */
      pendingToken: string;
      user: ProviderUser;
      organizations: Array<{ id: string; name: string }>;
    }
  | { kind: 'sso_required'; pendingToken: string | null; email: string | null; connectionIds: string[] }
  | { kind: 'email_verification_required'; pendingToken: string | null; email: string | null }
  | { kind: 'mfa_required'; pendingToken: string | null; enrollment: boolean };

export interface AuthorizationUrlInput {
  redirectUri: string;
  state: string;
  /** RFC 7636 S256 challenge of the verifier kept in the login-state cookie. */
  codeChallenge: string;
  organizationId?: string | undefined;
  connectionId?: string | undefined;
  loginHint?: string | undefined;
  screenHint?: 'sign-in' | 'sign-up' | undefined;
  /** An invitation's token: the hosted page signs the invitee up (or in) and accepts it. */
  invitationToken?: string | undefined;
}

export interface RequestMeta {
  ipAddress?: string | undefined;
  userAgent?: string | undefined;
}

export interface IdentityProvider {
  readonly name: 'workos' | 'oidc' | 'local';
  /**
   * The refresh grant. The sessions service consumes it through its own port (TokenRefresher in
   * sessions/session-refresh.ts: one refresh per token, single-flight there), which this satisfies.
   */
  refresh(input: { refreshToken: string; organizationId?: string | undefined }): Promise<SignInResult>;
  authorizationUrl(input: AuthorizationUrlInput): string;
  authenticateWithCode(input: { code: string; codeVerifier: string } & RequestMeta): Promise<SignInOutcome>;
  authenticateWithOrganizationSelection(
    input: { pendingToken: string; organizationId: string } & RequestMeta,
  ): Promise<SignInOutcome>;
  /** Ends the provider's session server-side (no-op when it is already gone). */
  revokeSession(providerSessionId: string): Promise<void>;
  /** Where to send the browser so the provider forgets it too. */
  logoutUrl(input: { providerSessionId: string; returnTo?: string | undefined }): string;
  /** Starts a reset; resolves the same whether or not the email is known (no account enumeration). */
  createPasswordReset(email: string): Promise<void>;
  resetPassword(input: { token: string; newPassword: string }): Promise<void>;
  getConnection(connectionId: string): Promise<ProviderConnection>;
  getOrganization(organizationId: string): Promise<ProviderOrganization>;
  listMemberships(filter: { userId: string; organizationId?: string | undefined }): Promise<ProviderMembership[]>;
  createMembership(input: { userId: string; organizationId: string; roleSlug: string }): Promise<ProviderMembership>;
}

/** Maps a provider's method name to the kinds enforcement reasons about. */
export function methodKindOf(authenticationMethod: string | null | undefined): SignInMethodKind {
  switch (authenticationMethod) {
    case 'SSO':
      return 'sso';
    case 'Password':
      return 'password';
    case 'MagicAuth':
      return 'magic_auth';
    case 'Passkey':
      return 'passkey';
    case 'Impersonation':
      return 'impersonation';
    default:
      return authenticationMethod && /OAuth$/.test(authenticationMethod) ? 'oauth' : 'other';
  }
}
