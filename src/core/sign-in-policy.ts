// An organization's sign-in policy and whether a sign-in meets it (DESIGN.md §3.7). Pure: the
// session service, sign-in, organization switch and the access decision all ask this one
// predicate. Threat: SSO at organization B (an identity provider B controls) accepted as SSO for
// organization A. "Was the method SSO?" is not the question; "did it come through A's own
// enabled connection?" is. The binding is recorded when Gatehouse itself chose the connection
// (the authorization URL names it and the sealed login state remembers it) and travels with the
// sign-in through organization switches, so it always names the organization whose identity
// provider vouched for the person.

export interface SignInPolicy {
  enabled: boolean;
  enforced: boolean;
  connectionId: string | null;
}

/** What a credential's sign-in came through; nulls when it was not SSO through a known connection. */
export interface SignInBinding {
  ssoConnectionId: string | null;
  ssoOrganizationId: string | null;
}

export const NO_SSO: SignInBinding = Object.freeze({ ssoConnectionId: null, ssoOrganizationId: null });

/** SSO through this organization's own, currently enabled connection. */
export function viaOwnConnection(organizationId: string, policy: SignInPolicy, binding: SignInBinding): boolean {
  return policy.enabled && policy.connectionId !== null
    && binding.ssoOrganizationId === organizationId && binding.ssoConnectionId === policy.connectionId;
}

/** Whether a credential bound as `binding` may act in `organizationId` under `policy`. */
export function meetsSignInPolicy(organizationId: string, policy: SignInPolicy, binding: SignInBinding): boolean {
  return !policy.enforced || viaOwnConnection(organizationId, policy, binding);
}
