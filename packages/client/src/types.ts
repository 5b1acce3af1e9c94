// The shapes an app sees: the AuthContext Gatehouse answers (the same one its own routes act on),
// the revocation events it streams, and the one error every refusal becomes.

export type Principal =
  | { type: 'user'; userId: string; email?: string }
  | { type: 'api_key'; apiKeyId: string; ownerUserId: string | null }
  | { type: 'm2m'; clientId: string };

export interface AuthContext {
  principal: Principal;
  organizationId: string;
  role: string;
  /** Gatehouse's own permissions and the ones the app declared (e.g. `notes:write`). */
  permissions: readonly string[];
  authMethod: 'session' | 'access_token' | 'api_key' | 'm2m';
  sessionId?: string;
  apiKeyId?: string;
  isSuperAdmin: boolean;
  impersonator?: { email: string; reason?: string | null };
  ssoConnectionId?: string;
}

export type RevocationEvent =
  | { kind: 'session'; sessionId: string }
  | { kind: 'user'; userId: string; organizationId?: string }
  | { kind: 'membership'; organizationId: string; userId: string }
  | { kind: 'api_key'; apiKeyId: string }
  | { kind: 'organization'; organizationId: string; reason: string };

/**
 * Every refusal: Gatehouse's own code for the end user's credential (`SESSION_REVOKED`,
 * `AUTH_REQUIRED`...), `AUTH_FORBIDDEN` / `RESOURCE_NOT_FOUND` from `can`/`requireOrganization`,
 * and `CLIENT_*` for the app's side (`CLIENT_UNAUTHORIZED`: the app credential was refused,
 * `CLIENT_UNAVAILABLE`: Gatehouse could not be reached). Never carries a credential.
 */
export class GatehouseError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatehouseError';
    this.code = code;
    this.status = status;
  }
}

/** What the client logs: the stream dropping and coming back. Defaults to console. */
export interface ClientLogger {
  warn(message: string): void;
  info(message: string): void;
}
