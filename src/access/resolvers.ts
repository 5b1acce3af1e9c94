// One resolver per credential kind, each ending in the same AuthContext shape. Called only by
// access-verifier.ts, which adds the challenge header and the failure rate limit; the request
// level decision (organization, permission, impersonation) is access-decision.ts.
//
// Each resolver reads its cache entry under its own kind (credential-cache.ts), and each applies
// the organization's sign-in policy (core/sign-in-policy.ts) to its kind:
//   session cookie  the session service ends a session whose sign-in did not come through the
//                   organization's own connection while it enforces SSO
//   access token    tied through its `sid` to the Gatehouse session that recorded the connection;
//                   a token Gatehouse cannot tie to one is refused while the organization enforces
//   API key         honoured while enforcement is on only if minted from a sign-in through the
//                   organization's connection (README: keys minted otherwise are suspended)
//   M2M token       a machine's credential, outside the sign-in policy (no person signs in)
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import { meetsSignInPolicy, ownConnectionId, type SignInPolicy } from '../core/sign-in-policy.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { REFRESH_AHEAD_MS } from '../sessions/session-refresh.ts';
import { TOUCH_INTERVAL_MS, type SessionFailure, type SessionService } from '../sessions/session-service.ts';
import {
  API_KEY_TOUCH_INTERVAL_MS,
  findApiKeyBySecret,
  isApiKeyFormat,
  rolePermissions,
  touchApiKey,
} from './api-keys.ts';
import type { CredentialCache } from './credential-cache.ts';
import type { JwtVerify } from './jwt-verifier.ts';
import {
  holdsSuperAdmin,
  isSuperAdmin,
  loadMembership,
  loadSignInPolicy,
  organizationIsLive,
  type MembershipLookup,
} from './memberships.ts';
import { classifyAccessToken } from './token-claims.ts';

export interface ResolveDeps {
  db: Kysely<Database>;
  clock: () => number;
  cache: CredentialCache;
  superAdminOrganizationId: string | undefined;
  /** The install's permissions: stored role slugs and M2M scopes outside it grant nothing. */
  permissions: PermissionCatalogue;
  sessions?: SessionService;
  verifyJwt?: JwtVerify;
  /** WORKOS_CLIENT_ID: the audience of M2M tokens and of user tokens that carry one. */
  clientId?: string;
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
  if (found.reason === 'organization_deleted')
    throw new AppError('AUTH_INVALID_CREDENTIAL', 'The organization of this credential no longer exists');
  throw new AppError('AUTH_MEMBERSHIP_INACTIVE', 'The membership behind this credential is not active');
}

function ssoRequired(what: string): never {
  throw new AppError(
    'AUTH_SSO_REQUIRED',
    `This organization requires single sign-on through its own connection; ${what}`,
  );
}

/** The connection of this organization the sign-in came through, for the AuthContext. */
function ownConnection(
  organizationId: string,
  policy: SignInPolicy,
  ssoConnectionId: string | null,
  ssoOrganizationId: string | null,
) {
  const id = ownConnectionId(organizationId, policy, { ssoConnectionId, ssoOrganizationId });
  return id ? { ssoConnectionId: id } : {};
}

async function userContext(
  deps: ResolveDeps,
  organizationId: string,
  userId: string,
): Promise<Pick<AuthContext, 'role' | 'permissions' | 'isSuperAdmin'>> {
  const found = await loadMembership(deps.db, organizationId, userId, deps.permissions);
  if (!found.ok) membershipFailure(found);
  const superAdmin =
    organizationId === deps.superAdminOrganizationId
      ? holdsSuperAdmin(found.permissions)
      : await isSuperAdmin(deps.db, deps.superAdminOrganizationId, userId, deps.permissions);
  return { role: found.role, permissions: found.permissions, isSuperAdmin: superAdmin };
}

export async function resolveSession(deps: ResolveDeps, cookie: string): Promise<AuthContext> {
  const cached = deps.cache.get('session_cookie', cookie);
  if (cached) return cached;
  const sessions = deps.sessions!;
  // The session service applies the sign-in policy here (and ends a session that fails it).
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
  const policy = await loadSignInPolicy(deps.db, session.organizationId);
  const context: AuthContext = {
    principal: { type: 'user', userId: session.userId },
    organizationId: session.organizationId,
    ...(await userContext(deps, session.organizationId, session.userId)),
    authMethod: 'session',
    sessionId: session.id,
    ...ownConnection(
      session.organizationId,
      policy,
      session.binding.ssoConnectionId,
      session.binding.ssoOrganizationId,
    ),
    ...(session.impersonator ? { impersonator: session.impersonator } : {}),
  };
  // Cached at most a minute: the idle timeout slides on resolution, and the token window must be re-checked.
  const notAfter = Math.min(
    session.idleExpiresAt.getTime(),
    session.expiresAt.getTime(),
    now + TOUCH_INTERVAL_MS,
    tokenEnd !== undefined && tokenEnd - now > REFRESH_AHEAD_MS ? tokenEnd - REFRESH_AHEAD_MS : now + TOUCH_INTERVAL_MS,
  );
  deps.cache.set(
    'session_cookie',
    cookie,
    context,
    { organizationId: session.organizationId, userId: session.userId, sessionId: session.id },
    notAfter,
  );
  return context;
}

export async function resolveJwt(deps: ResolveDeps, token: string): Promise<AuthContext> {
  const cached = deps.cache.get('jwt', token);
  if (cached) return cached;
  const claims = await deps.verifyJwt!(token);
  const expMs = (claims.exp ?? 0) * 1000;
  const kind = classifyAccessToken(claims, { clientId: deps.clientId ?? '' });
  if (kind.kind === 'm2m') {
    if (!(await organizationIsLive(deps.db, kind.organizationId)))
      throw new AppError('AUTH_INVALID_CREDENTIAL', 'The organization of this credential no longer exists');
    const context: AuthContext = {
      principal: { type: 'm2m', clientId: kind.clientId },
      organizationId: kind.organizationId,
      role: 'm2m',
      permissions: [...new Set(kind.scopes)].filter((scope) => deps.permissions.has(scope)),
      authMethod: 'm2m',
      isSuperAdmin: false,
    };
    deps.cache.set('jwt', token, context, { organizationId: kind.organizationId }, expMs);
    return context;
  }
  // A token whose WorkOS session we ended (logout, admin revoke) is refused even before it expires.
  // A sid with a live row of ours is still in use (an organization switch ends one row, opens another).
  const { organizationId, userId, workosSessionId } = kind;
  const local = await inTenant(deps.db, organizationId, (tx) =>
    tx
      .selectFrom('sessions')
      .select([
        'id',
        'revoked_at',
        'sso_connection_id',
        'sso_organization_id',
        'impersonator_email',
        'impersonator_reason',
      ])
      .where('workos_session_id', '=', workosSessionId)
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .execute(),
  );
  if (local.length > 0 && local.every((s) => s.revoked_at !== null))
    throw new AppError('AUTH_TOKEN_REVOKED', 'The session of this access token was ended');
  const live = local.find((s) => s.revoked_at === null);
  const policy = await loadSignInPolicy(deps.db, organizationId);
  // The token's sign-in is what Gatehouse recorded for its session; a token we cannot tie to a
  // session of ours (minted elsewhere with the same client) has no connection we can vouch for.
  const binding = {
    ssoConnectionId: live?.sso_connection_id ?? null,
    ssoOrganizationId: live?.sso_organization_id ?? null,
  };
  if (!meetsSignInPolicy(organizationId, policy, binding))
    ssoRequired("this access token's sign-in did not come through it");
  const impersonator =
    kind.impersonator ??
    (live?.impersonator_email ? { email: live.impersonator_email, reason: live.impersonator_reason } : null);
  const context: AuthContext = {
    principal: { type: 'user', userId },
    organizationId,
    ...(await userContext(deps, organizationId, userId)),
    authMethod: 'access_token',
    ...(live ? { sessionId: live.id } : {}),
    ...ownConnection(organizationId, policy, binding.ssoConnectionId, binding.ssoOrganizationId),
    ...(impersonator ? { impersonator } : {}),
  };
  const tags = { organizationId, userId, ...(live ? { sessionId: live.id } : {}) };
  deps.cache.set('jwt', token, context, tags, expMs);
  return context;
}

export async function resolveApiKey(deps: ResolveDeps, token: string): Promise<AuthContext> {
  const cached = deps.cache.get('api_key', token);
  if (cached) return cached;
  if (!isApiKeyFormat(token)) throw new AppError('AUTH_API_KEY_INVALID', 'The API key is not valid');
  const row = await findApiKeyBySecret(deps.db, token);
  if (!row) throw new AppError('AUTH_API_KEY_INVALID', 'The API key is not valid');
  if (row.revoked_at) throw new AppError('AUTH_API_KEY_REVOKED', 'The API key was revoked');
  const now = deps.clock();
  if (row.expires_at && row.expires_at.getTime() <= now)
    throw new AppError('AUTH_API_KEY_EXPIRED', 'The API key has expired');
  const found = await inTenant(deps.db, row.organization_id, async (tx) => {
    const org = await tx
      .selectFrom('organizations')
      .select('deleted_at')
      .where('id', '=', row.organization_id)
      .executeTakeFirst();
    if (!org || org.deleted_at) return null;
    const sso = await tx
      .selectFrom('sso_configs')
      .select(['enabled', 'enforced', 'connection_id'])
      .where('organization_id', '=', row.organization_id)
      .executeTakeFirst();
    const policy: SignInPolicy = {
      enabled: sso?.enabled ?? false,
      enforced: sso?.enforced ?? false,
      connectionId: sso?.connection_id ?? null,
    };
    return { permissions: await rolePermissions(tx, row.organization_id, row.role, deps.permissions), policy };
  });
  if (!found?.permissions) throw new AppError('AUTH_API_KEY_INVALID', 'The API key is not valid');
  // Suspended, not revoked, while enforcement is on: it works again if enforcement is turned off.
  const binding = {
    ssoConnectionId: row.sso_connection_id,
    ssoOrganizationId: row.sso_connection_id ? row.organization_id : null,
  };
  if (!meetsSignInPolicy(row.organization_id, found.policy, binding))
    ssoRequired('this API key was not created from a sign-in through it');
  let permissions = found.permissions;
  if (row.owner_user_id) {
    // A personal key dies with its owner's membership and never exceeds the owner's current role.
    const owner = await loadMembership(deps.db, row.organization_id, row.owner_user_id, deps.permissions);
    if (!owner.ok) membershipFailure(owner);
    permissions = permissions.filter((p) => owner.permissions.includes(p));
  }
  await touchApiKey(deps.db, row, now);
  const context: AuthContext = {
    principal: { type: 'api_key', apiKeyId: row.id, ownerUserId: row.owner_user_id },
    organizationId: row.organization_id,
    role: row.role,
    permissions,
    authMethod: 'api_key',
    apiKeyId: row.id,
    isSuperAdmin: false,
    ...ownConnection(row.organization_id, found.policy, binding.ssoConnectionId, binding.ssoOrganizationId),
  };
  const notAfter = Math.min(now + API_KEY_TOUCH_INTERVAL_MS, row.expires_at?.getTime() ?? Infinity);
  deps.cache.set(
    'api_key',
    token,
    context,
    {
      organizationId: row.organization_id,
      apiKeyId: row.id,
      ...(row.owner_user_id ? { userId: row.owner_user_id } : {}),
    },
    notAfter,
  );
  return context;
}
