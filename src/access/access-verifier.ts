// One AuthContext from any credential (DESIGN.md §3.2): the session cookie, a WorkOS access token,
// an M2M token or a Gatehouse API key. Library entry point (`import { createAccessVerifier } from
// 'gatehouse'`) and the engine of the `requireAuth` middleware. Role and permissions always come
// from the local mirror (or the key's stored role), never from claims the credential carries, so
// no credential holds more than its role today. Failures throw AppError with a stable code and a
// `WWW-Authenticate` challenge; verified contexts are cached by sha256 of the credential and
// evicted at once by the revocation bus.
//
// Exported API:
//   createAccessVerifier(options) -> { verify(request, { sourceIp? }), verifyCredential(...), cache, close() }
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError, isAppError, type ErrorCode } from '../core/errors.ts';
import { createPermissionCatalogue, type PermissionCatalogue } from '../core/permission-catalogue.ts';
import type { Database } from '../store/schema.ts';
import type { RevocationBus } from '../sessions/revocation-bus.ts';
import { readCookie } from '../core/cookie.ts';
import { parseSessionCookie } from '../sessions/session-cookie.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { createCredentialCache, type CredentialCache } from './credential-cache.ts';
import { createJwtVerifier, type JwtVerifierOptions } from './jwt-verifier.ts';
import { createFailureLimiter, type FailureLimiter } from './rate-limit.ts';
import { resolveApiKey, resolveJwt, resolveSession, type ResolveDeps } from './resolvers.ts';

export interface AccessVerifierOptions {
  db: Kysely<Database>;
  /** Enables the session cookie credential. */
  sessions?: SessionService;
  /** Enables WorkOS access tokens and M2M tokens. */
  workos?: JwtVerifierOptions;
  superAdminOrganizationId?: string;
  /** The install's permissions (Gatehouse's and the app's); default: Gatehouse's own only. */
  permissions?: PermissionCatalogue;
  /** AUTH_CACHE_TTL_SECONDS (default 300). */
  cacheTtlSeconds?: number;
  /** Subscribes the cache to revocations; without it, caching is bounded by the TTL only. */
  bus?: Pick<RevocationBus, 'subscribe'>;
  apiKeyFailures?: FailureLimiter;
  clock?: () => number;
}

export interface AccessVerifier {
  verify(request: { headers: Headers }, meta?: { sourceIp?: string }): Promise<AuthContext>;
  verifyCredential(
    credential: { cookie?: string; bearer?: string },
    meta?: { sourceIp?: string },
  ): Promise<AuthContext>;
  readonly cache: CredentialCache;
  readonly cookieName: string | undefined;
  close(): void;
}

const REALM = 'Bearer realm="gatehouse"';

/** Adds the RFC 6750 challenge to a 401; the description is a fixed phrase, never caller input. */
export function challenge(error: AppError): AppError {
  if (error.status !== 401) return error;
  const presented = error.code !== 'AUTH_REQUIRED';
  const wwwAuthenticate = presented ? `${REALM}, error="invalid_token", error_description="${error.code}"` : REALM;
  return new AppError(error.code, error.message, {
    cause: error.cause,
    details: { ...error.details, wwwAuthenticate },
  });
}

function fail(code: ErrorCode, message: string): never {
  throw challenge(new AppError(code, message));
}

export function createAccessVerifier(options: AccessVerifierOptions): AccessVerifier {
  const clock = options.clock ?? Date.now;
  const cache = createCredentialCache({ ttlMs: (options.cacheTtlSeconds ?? 300) * 1000, clock });
  const unsubscribe = options.bus?.subscribe(cache) ?? (() => undefined);
  const limiter = options.apiKeyFailures ?? createFailureLimiter({ clock });
  const deps: ResolveDeps = {
    db: options.db,
    clock,
    cache,
    superAdminOrganizationId: options.superAdminOrganizationId,
    permissions: options.permissions ?? createPermissionCatalogue(),
    ...(options.sessions ? { sessions: options.sessions } : {}),
    ...(options.workos
      ? { verifyJwt: createJwtVerifier({ clock, ...options.workos }), clientId: options.workos.clientId }
      : {}),
  };
  const cookieName = options.sessions?.cookie.name;

  const verifyCredential: AccessVerifier['verifyCredential'] = async (credential, meta = {}) => {
    try {
      const bearer = credential.bearer;
      if (bearer !== undefined) {
        if (bearer.startsWith('gth_')) {
          // A key verified before answers from the cache even while its source is limited: behind
          // a shared proxy address, a scanner's failures must not lock out working keys.
          const known = cache.get('api_key', bearer);
          if (known) return known;
          const source = meta.sourceIp ?? 'unknown';
          const wait = limiter.retryAfter(source);
          if (wait > 0)
            throw new AppError('RATE_LIMITED', 'Too many failed API key attempts; try again later', {
              details: { retryAfter: wait },
            });
          try {
            return await resolveApiKey(deps, bearer);
          } catch (error) {
            if (isAppError(error) && error.status === 401) limiter.fail(source);
            throw error;
          }
        }
        // A session cookie is only ever a cookie (threat: a stolen cookie value replayed by a
        // script or another service as a Bearer token, outside SameSite and CSRF protection).
        if (parseSessionCookie(bearer)) fail('AUTH_TOKEN_INVALID', 'A session cookie is not a bearer credential');
        if (!deps.verifyJwt) fail('AUTH_TOKEN_INVALID', 'Bearer tokens are not accepted here');
        return await resolveJwt(deps, bearer);
      }
      if (credential.cookie !== undefined && deps.sessions) return await resolveSession(deps, credential.cookie);
      return fail('AUTH_REQUIRED', 'Sign in or present a bearer credential');
    } catch (error) {
      if (isAppError(error)) throw challenge(error);
      throw error;
    }
  };

  return {
    cache,
    cookieName,
    verifyCredential,
    verify(request, meta) {
      const authorization = request.headers.get('authorization');
      if (authorization !== null) {
        const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
        if (!match)
          return Promise.reject(
            challenge(new AppError('AUTH_TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"')),
          );
        return verifyCredential({ bearer: match[1]! }, meta);
      }
      const cookie = cookieName ? readCookie(request.headers.get('cookie'), cookieName) : undefined;
      return verifyCredential(cookie === undefined ? {} : { cookie }, meta);
    },
    close: unsubscribe,
  };
}
