// The one shape every credential resolves to (DESIGN.md §3.2): a session cookie, a WorkOS access
// token, an API key and an M2M token all become an AuthContext, and every authorization decision
// reads only this. Permissions come from the role; no credential carries more than its role.

export type Principal =
  | { type: 'user'; userId: string; email?: string }
  | { type: 'api_key'; apiKeyId: string; ownerUserId: string | null }
  | { type: 'm2m'; clientId: string };

export type AuthMethod = 'session' | 'access_token' | 'api_key' | 'm2m';

export interface AuthContext {
  principal: Principal;
  organizationId: string;
  role: string;
  /** Slugs of the install's permission catalogue: Gatehouse's own and the app's (`notes:write`). */
  permissions: readonly string[];
  authMethod: AuthMethod;
  sessionId?: string;
  apiKeyId?: string;
  isSuperAdmin: boolean;
  /** Set when a WorkOS admin impersonates the user (recorded on the session, or the token's `act`). */
  impersonator?: { email: string; reason?: string | null };
  /**
   * Set only when the credential's sign-in came through this organization's own enabled SSO
   * connection (core/sign-in-policy.ts); an API key minted from this context records it.
   */
  ssoConnectionId?: string;
}

/**
 * What must stop being honoured everywhere, at once (DESIGN.md §3.4). Published on the revocation
 * bus (PostgreSQL NOTIFY) and applied by every instance to its caches.
 */
export type RevocationEvent =
  | { kind: 'session'; sessionId: string }
  | { kind: 'user'; userId: string; organizationId?: string }
  | { kind: 'membership'; organizationId: string; userId: string }
  | { kind: 'api_key'; apiKeyId: string }
  | { kind: 'organization'; organizationId: string; reason: 'sso_enforced' | 'deleted' }
  /** A role's permissions narrowed (edit, delete): every credential holding it re-resolves. */
  | { kind: 'role'; organizationId: string; role: string };

export function hasPermission(ctx: AuthContext, permission: string): boolean {
  return ctx.permissions.includes(permission);
}
