// A server-side session as the rest of Gatehouse sees it, and the results of resolving one: the
// vocabulary session-service.ts, session-refresh.ts and session-switch.ts share.
import type { AuditActor } from '../audit/chain.ts';
import type { SignInBinding } from '../core/sign-in-policy.ts';
import type { SessionRow } from '../store/schema.ts';

export type SessionAuthMethod =
  | 'password'
  | 'magic_auth'
  | 'sso'
  | 'oauth'
  | 'passkey'
  | 'impersonation'
  | 'email_code'
  | 'oidc';

export interface Session {
  id: string;
  organizationId: string;
  userId: string;
  workosSessionId: string | null;
  authMethod: string;
  role: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  accessTokenExpiresAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The SSO connection the sign-in came through and that connection's organization (else nulls). */
  binding: SignInBinding;
  /** The WorkOS admin impersonating the user, when this session is an impersonation. */
  impersonator: { email: string; reason: string | null } | null;
}

export type SessionFailure = 'SESSION_INVALID' | 'SESSION_REVOKED' | 'SESSION_EXPIRED' | 'SSO_REQUIRED';
export type SessionResult = { ok: true; session: Session } | { ok: false; reason: SessionFailure };
export type AccessTokenResult = { ok: true; accessToken: string } | { ok: false; reason: SessionFailure };

export interface CreateSessionInput {
  organizationId: string;
  userId: string;
  authMethod: SessionAuthMethod;
  role: string;
  workosSessionId?: string | null;
  accessToken?: string | null;
  refreshToken?: string | null;
  /** Who caused the sign-in; the user themself by default. */
  actor?: AuditActor;
  /** Set only when the sign-in provably came through this connection (see core/sign-in-policy.ts). */
  binding?: SignInBinding;
  impersonator?: { email: string; reason: string | null } | null;
}

export function sessionFromRow(row: SessionRow): Session {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    workosSessionId: row.workos_session_id,
    authMethod: row.auth_method,
    role: row.role,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    idleExpiresAt: row.idle_expires_at,
    accessTokenExpiresAt: row.access_token_expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    binding: { ssoConnectionId: row.sso_connection_id, ssoOrganizationId: row.sso_organization_id },
    impersonator: row.impersonator_email ? { email: row.impersonator_email, reason: row.impersonator_reason } : null,
  };
}
