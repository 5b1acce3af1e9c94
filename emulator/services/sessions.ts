// Sessions and the tokens that stand for them. A sign-in creates a session, a one-time refresh
// token and a 5-minute RS256 access token. Refresh tokens rotate on use: a replayed refresh
// token is refused (invalid_grant), which is how WorkOS limits a stolen token's lifetime.
import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { PendingSignIn, RefreshTokenRecord, SessionWire } from '../state/types.ts';
import { badRequest, notFound, oauthError } from './errors.ts';
import { paginate, type ListParams } from './pagination.ts';
import { serializeUser } from './serialize.ts';
import { findMembership } from './memberships.ts';
import { permissionsFor } from './roles.ts';

/** Session `auth_method` -> the `authentication_method` an authenticate response reports. */
const AUTHENTICATION_METHOD: Record<string, string> = {
  password: 'Password',
  magic_code: 'MagicAuth',
  sso: 'SSO',
  impersonation: 'Impersonation',
  passkey: 'Passkey',
  oauth: 'GoogleOAuth',
};

const ACCESS_TOKEN_TTL_SECONDS = 5 * 60;
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export interface RequestMeta {
  ip_address?: string | undefined;
  user_agent?: string | undefined;
}

export function issuer(ctx: EmulatorContext): string {
  return `${ctx.config.baseUrl}/user_management/${ctx.config.clientId}`;
}

/** Claims WorkOS puts in an AuthKit access token; organization claims only for an org session. */
async function mintAccessToken(ctx: EmulatorContext, session: SessionWire): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: issuer(ctx),
    sub: session.user_id,
    sid: session.id,
    jti: randomUUID(),
  };
  if (session.organization_id) {
    const membership = findMembership(ctx, session.user_id, session.organization_id);
    const slugs = membership?.roles.map((r) => r.slug) ?? [];
    claims.org_id = session.organization_id;
    claims.role = membership?.role.slug;
    claims.roles = slugs;
    claims.permissions = permissionsFor(ctx, session.organization_id, slugs);
  }
  if (session.impersonator)
    claims.act = {
      sub: session.impersonator.email,
      ...(session.impersonator.reason ? { reason: session.impersonator.reason } : {}),
    };
  return ctx.keys.sign(claims, ACCESS_TOKEN_TTL_SECONDS, Math.floor(ctx.world.clock.nowMs() / 1000));
}

function issueRefreshToken(ctx: EmulatorContext, session: SessionWire): RefreshTokenRecord {
  const record: RefreshTokenRecord = {
    token: randomBytes(24).toString('base64url'),
    session_id: session.id,
    user_id: session.user_id,
    organization_id: session.organization_id ?? null,
    revoked: false,
    created_at: ctx.world.nowIso(),
  };
  ctx.world.refreshTokens.set(record.token, record);
  return record;
}

/** The success body of `POST /user_management/authenticate`. */
async function authenticateResponse(
  ctx: EmulatorContext,
  session: SessionWire,
  refresh: RefreshTokenRecord,
  authenticationMethod: string,
) {
  const user = ctx.world.users.get(session.user_id);
  if (!user) throw oauthError(400, 'invalid_grant', 'The user no longer exists.');
  return {
    user: serializeUser(user),
    ...(session.organization_id ? { organization_id: session.organization_id } : {}),
    access_token: await mintAccessToken(ctx, session),
    refresh_token: refresh.token,
    authentication_method: authenticationMethod,
    ...(session.impersonator ? { impersonator: { ...session.impersonator } } : {}),
  };
}

/** Opens a session for a completed sign-in; emits session.created and updates last_sign_in_at. */
export async function startSession(ctx: EmulatorContext, signIn: PendingSignIn, meta: RequestMeta = {}) {
  const { world } = ctx;
  const now = world.nowIso();
  const session: SessionWire = {
    object: 'session',
    id: world.newId('session'),
    ...(signIn.impersonator ? { impersonator: { ...signIn.impersonator } } : {}),
    ip_address: meta.ip_address ?? null,
    ...(signIn.organization_id ? { organization_id: signIn.organization_id } : {}),
    user_agent: meta.user_agent ?? null,
    user_id: signIn.user_id,
    auth_method: signIn.auth_method,
    status: 'active',
    expires_at: new Date(world.clock.nowMs() + SESSION_TTL_MS).toISOString(),
    ended_at: null,
    created_at: now,
    updated_at: now,
  };
  world.sessions.set(session.id, session);
  const user = world.users.get(signIn.user_id);
  if (user) {
    user.last_sign_in_at = now;
    user.updated_at = now;
  }
  world.emit('session.created', session);
  return authenticateResponse(ctx, session, issueRefreshToken(ctx, session), signIn.authentication_method);
}

function liveSession(ctx: EmulatorContext, id: string): SessionWire | undefined {
  const session = ctx.world.sessions.get(id);
  if (session && session.status === 'active' && Date.parse(session.expires_at) <= ctx.world.clock.nowMs()) {
    session.status = 'expired';
    session.ended_at = session.expires_at;
  }
  return session?.status === 'active' ? session : undefined;
}

/**
 * The refresh_token grant. `organizationId` switches the session to another organization the
 * user is an active member of — that is how AuthKit apps switch tenants.
 */
export async function refreshSession(ctx: EmulatorContext, token: string, organizationId?: string) {
  const record = ctx.world.refreshTokens.get(token);
  if (!record || record.revoked) throw oauthError(400, 'invalid_grant', 'Invalid refresh token.');
  const session = liveSession(ctx, record.session_id);
  if (!session) throw oauthError(400, 'invalid_grant', 'Session has ended.');
  if (organizationId && organizationId !== session.organization_id) {
    if (!ctx.world.organizations.has(organizationId))
      throw oauthError(400, 'organization_not_found', 'Organization not found.');
    const membership = findMembership(ctx, session.user_id, organizationId);
    if (membership?.status !== 'active') {
      throw oauthError(400, 'organization_membership_not_found', 'The user is not a member of this organization.');
    }
    session.organization_id = organizationId;
  }
  if (session.organization_id) {
    // A membership removed or deactivated since sign-in ends the organization session.
    const membership = findMembership(ctx, session.user_id, session.organization_id);
    if (membership?.status !== 'active') {
      throw oauthError(400, 'invalid_grant', 'The organization membership is no longer active.');
    }
  }
  record.revoked = true;
  session.updated_at = ctx.world.nowIso();
  return authenticateResponse(
    ctx,
    session,
    issueRefreshToken(ctx, session),
    AUTHENTICATION_METHOD[session.auth_method] ?? 'Password',
  );
}

export function revokeSession(ctx: EmulatorContext, sessionId: string): void {
  const session = ctx.world.sessions.get(sessionId);
  if (!session) throw badRequest('session_not_found', 'Session not found.');
  if (session.status !== 'active') return;
  const now = ctx.world.nowIso();
  session.status = 'revoked';
  session.ended_at = now;
  session.updated_at = now;
  for (const record of ctx.world.refreshTokens.values()) if (record.session_id === sessionId) record.revoked = true;
  ctx.world.emit('session.revoked', session);
}

export function listUserSessions(ctx: EmulatorContext, userId: string, params: ListParams) {
  if (!ctx.world.users.has(userId)) throw notFound('User', userId);
  const sessions = [...ctx.world.sessions.values()].filter((s) => s.user_id === userId);
  for (const s of sessions) liveSession(ctx, s.id);
  return paginate(sessions, params, (s) => ({ ...s }));
}

/** `GET /user_management/sessions/logout`: ends the session, then where to send the browser. */
export function logout(ctx: EmulatorContext, sessionId: string, returnTo: string | undefined): string {
  const session = ctx.world.sessions.get(sessionId);
  if (session) revokeSession(ctx, sessionId);
  return returnTo ?? `${ctx.config.baseUrl}/`;
}
