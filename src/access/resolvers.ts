// One resolver per credential kind, each ending in the same AuthContext shape. Called only by
// access-verifier.ts, which adds the challenge header and the failure rate limit.
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { isPermission, type Permission } from '../core/permissions.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { REFRESH_AHEAD_MS } from '../sessions/session-refresh.ts';
import { TOUCH_INTERVAL_MS, type SessionFailure, type SessionService } from '../sessions/session-service.ts';
import { API_KEY_TOUCH_INTERVAL_MS, findApiKeyBySecret, isApiKeyFormat, rolePermissions, touchApiKey } from './api-keys.ts';
import type { CredentialCache } from './credential-cache.ts';
import type { JwtVerify } from './jwt-verifier.ts';
import { holdsSuperAdmin, isSuperAdmin, loadMembership, organizationIsLive, type MembershipLookup } from './memberships.ts';

export interface ResolveDeps {
  db: Kysely<Database>;
  clock: () => number;
  cache: CredentialCache;
  superAdminOrganizationId: string | undefined;
  sessions?: SessionService;
  verifyJwt?: JwtVerify;
}

const SESSION_FAILURES: Record<SessionFailure, [code: AppError['code'], message: string]> = {
  SESSION_INVALID: ['SESSION_INVALID', 'The session is not valid; sign in again'],
  SESSION_REVOKED: ['SESSION_REVOKED', 'The session was ended; sign in again'],
  SESSION_EXPIRED: ['SESSION_EXPIRED', 'The session has expired; sign in again'],
  SSO_REQUIRED: ['SESSION_SSO_REQUIRED', 'This organization requires single sign-on; sign in again through SSO'],
};

function sessionFailure(reason: SessionFailure): never {
  const [code, message] = SESSION_FAILURES[reason];
  throw new AppError(code, message);
}

function membershipFailure(found: Exclude<MembershipLookup, { ok: true }>): never {
  if (found.reason === 'organization_deleted') throw new AppError('AUTH_INVALID_CREDENTIAL', 'The organization of this credential no longer exists');
  throw new AppError('AUTH_MEMBERSHIP_INACTIVE', 'The membership behind this credential is not active');
}

async function userContext(deps: ResolveDeps, organizationId: string, userId: string): Promise<Pick<AuthContext, 'role' | 'permissions' | 'isSuperAdmin'>> {
  const found = await loadMembership(deps.db, organizationId, userId);
  if (!found.ok) membershipFailure(found);
  const superAdmin = organizationId === deps.superAdminOrganizationId
    ? holdsSuperAdmin(found.permissions)
    : await isSuperAdmin(deps.db, deps.superAdminOrganizationId, userId);
  return { role: found.role, permissions: found.permissions, isSuperAdmin: superAdmin };
}

export async function resolveSession(deps: ResolveDeps, cookie: string): Promise<AuthContext> {
  const cached = deps.cache.get(cookie);
  if (cached) return cached;
  const sessions = deps.sessions!;
  const resolved = await sessions.resolve(cookie);
  if (!resolved.ok) sessionFailure(resolved.reason);
  const { session } = resolved;
  const now = deps.clock();
  // The provider's token nearly spent: refresh now (single-flight), which is also where an
  // SSO-enforced organization or a membership ended at the provider ends this session.
  const tokenEnd = session.accessTokenExpiresAt?.getTime();
  if (tokenEnd !== undefined && tokenEnd - now <= REFRESH_AHEAD_MS) {
    const token = await sessions.accessTokenFor(session);
    if (!token.ok) sessionFailure(token.reason);
  }
  const context: AuthContext = {
    principal: { type: 'user', userId: session.userId },
    organizationId: session.organizationId,
    ...(await userContext(deps, session.organizationId, session.userId)),
    authMethod: 'session',
    sessionId: session.id,
  };
  // Cached at most a minute: the idle timeout slides on resolution, and the token window must be re-checked.
  const notAfter = Math.min(session.idleExpiresAt.getTime(), session.expiresAt.getTime(), now + TOUCH_INTERVAL_MS,
    tokenEnd !== undefined && tokenEnd - now > REFRESH_AHEAD_MS ? tokenEnd - REFRESH_AHEAD_MS : now + TOUCH_INTERVAL_MS);
  deps.cache.set(cookie, context, { organizationId: session.organizationId, userId: session.userId, sessionId: session.id }, notAfter);
  return context;
}

export async function resolveJwt(deps: ResolveDeps, token: string): Promise<AuthContext> {
  const cached = deps.cache.get(token);
  if (cached) return cached;
  const claims = await deps.verifyJwt!(token);
  const organizationId = typeof claims.org_id === 'string' ? claims.org_id : undefined;
  if (!organizationId) throw new AppError('AUTH_TOKEN_INVALID', 'The access token is not scoped to an organization');
  const expMs = (claims.exp ?? 0) * 1000;
  const subject = claims.sub!;
  if (typeof claims.sid !== 'string') {
    // No session: a client_credentials token of an M2M application. Its scopes are its permissions.
    if (!(await organizationIsLive(deps.db, organizationId))) throw new AppError('AUTH_INVALID_CREDENTIAL', 'The organization of this credential no longer exists');
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    const context: AuthContext = {
      principal: { type: 'm2m', clientId: subject },
      organizationId, role: 'm2m', permissions: scopes.filter(isPermission), authMethod: 'm2m', isSuperAdmin: false,
    };
    deps.cache.set(token, context, { organizationId }, expMs);
    return context;
  }
  // A token whose WorkOS session we ended (logout, admin revoke) is refused even before it expires.
  // A sid with a live row of ours is still in use (an organization switch ends one row, opens another).
  const sid = claims.sid;
  const local = await inTenant(deps.db, organizationId, (tx) =>
    tx.selectFrom('sessions').select(['id', 'revoked_at']).where('workos_session_id', '=', sid).orderBy('id', 'desc').execute());
  if (local.length > 0 && local.every((s) => s.revoked_at !== null)) throw new AppError('AUTH_TOKEN_REVOKED', 'The session of this access token was ended');
  const act = claims.act as { sub?: unknown; reason?: unknown } | undefined;
  const context: AuthContext = {
    principal: { type: 'user', userId: subject },
    organizationId,
    ...(await userContext(deps, organizationId, subject)),
    authMethod: 'access_token',
    ...(act && typeof act.sub === 'string' ? { impersonator: { email: act.sub, reason: typeof act.reason === 'string' ? act.reason : null } } : {}),
  };
  const live = local.find((s) => s.revoked_at === null);
  const tags = { organizationId, userId: subject, ...(live ? { sessionId: live.id } : {}) };
  deps.cache.set(token, context, tags, expMs);
  return context;
}

export async function resolveApiKey(deps: ResolveDeps, token: string): Promise<AuthContext> {
  const cached = deps.cache.get(token);
  if (cached) return cached;
  if (!isApiKeyFormat(token)) throw new AppError('AUTH_API_KEY_INVALID', 'The API key is not valid');
  const row = await findApiKeyBySecret(deps.db, token);
  if (!row) throw new AppError('AUTH_API_KEY_INVALID', 'The API key is not valid');
  if (row.revoked_at) throw new AppError('AUTH_API_KEY_REVOKED', 'The API key was revoked');
  const now = deps.clock();
  if (row.expires_at && row.expires_at.getTime() <= now) throw new AppError('AUTH_API_KEY_EXPIRED', 'The API key has expired');
  const rolePerms = await inTenant(deps.db, row.organization_id, async (tx) => {
    const org = await tx.selectFrom('organizations').select('deleted_at').where('id', '=', row.organization_id).executeTakeFirst();
    return org && !org.deleted_at ? rolePermissions(tx, row.organization_id, row.role) : null;
  });
  if (!rolePerms) throw new AppError('AUTH_API_KEY_INVALID', 'The API key is not valid');
  let permissions: Permission[] = rolePerms.filter(isPermission);
  if (row.owner_user_id) {
    // A personal key dies with its owner's membership and never exceeds the owner's current role.
    const owner = await loadMembership(deps.db, row.organization_id, row.owner_user_id);
    if (!owner.ok) membershipFailure(owner);
    permissions = permissions.filter((p) => owner.permissions.includes(p));
  }
  await touchApiKey(deps.db, row, now);
  const context: AuthContext = {
    principal: { type: 'api_key', apiKeyId: row.id, ownerUserId: row.owner_user_id },
    organizationId: row.organization_id, role: row.role, permissions, authMethod: 'api_key', apiKeyId: row.id, isSuperAdmin: false,
  };
  const notAfter = Math.min(now + API_KEY_TOUCH_INTERVAL_MS, row.expires_at?.getTime() ?? Infinity);
  deps.cache.set(token, context, { organizationId: row.organization_id, apiKeyId: row.id, ...(row.owner_user_id ? { userId: row.owner_user_id } : {}) }, notAfter);
  return context;
}

