// An organization's sign-in policy and whether a sign-in meets it (DESIGN.md §3.7). Pure: the
// session service, sign-in, organization switch and the access decision all ask this one
// predicate. Threat: SSO at organization B (an identity provider B controls) accepted as SSO for
// organization A. "Was the method SSO?" is not the question; "did it come through A's own
// connection?" is. The binding names the organization whose connection vouched for the person,
// and the connection itself when Gatehouse chose it (the authorization URL names it and the
// sealed login state remembers it). It is recorded at the callback (identity/sign-in.ts says
// when) and travels with the sign-in through organization switches, so SSO at B never becomes
// SSO at A by switching.

export interface SignInPolicy {
  enabled: boolean;
  enforced: boolean;
  connectionId: string | null;
}

/**
 * What a credential's sign-in came through: the organization whose connection authenticated it
 * (null: not SSO we can vouch for) and that connection when Gatehouse chose it (else null).
 */
export interface SignInBinding {
  ssoConnectionId: string | null;
  ssoOrganizationId: string | null;
}

export const NO_SSO: SignInBinding = Object.freeze({ ssoConnectionId: null, ssoOrganizationId: null });

/**
 * SSO through this organization's own connection: the binding names this organization, and when
 * both the binding and the policy name a connection, the same one (a replaced connection no
 * longer counts).
 */
export function viaOwnConnection(organizationId: string, policy: SignInPolicy, binding: SignInBinding): boolean {
  if (binding.ssoOrganizationId !== organizationId) return false;
  return (
    binding.ssoConnectionId === null || policy.connectionId === null || binding.ssoConnectionId === policy.connectionId
  );
}

/** The connection to record for a credential minted from this sign-in (an API key), if known. */
export function ownConnectionId(organizationId: string, policy: SignInPolicy, binding: SignInBinding): string | null {
  if (!viaOwnConnection(organizationId, policy, binding)) return null;
  return binding.ssoConnectionId ?? policy.connectionId;
}

/** Whether a credential bound as `binding` may act in `organizationId` under `policy`. */
export function meetsSignInPolicy(organizationId: string, policy: SignInPolicy, binding: SignInBinding): boolean {
  return !policy.enforced || viaOwnConnection(organizationId, policy, binding);
}
