// Route protection. `provideAccess(verifier, { publicUrl })` runs once at the app level and makes
// the verifier available; `requireAuth({ permission? })` on a route or group resolves the request
// to an AuthContext (401 with WWW-Authenticate otherwise), checks the permission (403), and puts
// the context at `c.get('auth')`. `requireOrganization(c, orgId)` answers 404 when the credential
// belongs to another organization (DESIGN.md §3.1: a miss across tenants never says 403).
// Cookie-authenticated state changes must come from our own origin (threat: CSRF riding the
// session cookie; SameSite=Lax stops cross-site POSTs in browsers that honour it, this stops the
// rest).
//
// Exported API: provideAccess, requireAuth, requireOrganization, authOf, AccessVariables
import type { Context, MiddlewareHandler } from 'hono';
import type { AccessVerifier } from '../../access/access-verifier.ts';
import { clientAddressOf } from '../client-address.ts';
import type { AuthContext } from '../../core/auth-context.ts';
import { AppError } from '../../core/errors.ts';
import type { Permission } from '../../core/permissions.ts';

export interface AccessVariables {
  accessVerifier: AccessVerifier;
  accessOrigin: string | undefined;
  auth: AuthContext;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function provideAccess(verifier: AccessVerifier, options: { publicUrl?: string } = {}): MiddlewareHandler {
  const origin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return async (c, next) => {
    c.set('accessVerifier' as never, verifier as never);
    c.set('accessOrigin' as never, origin as never);
    await next();
  };
}

function sameOrigin(c: Context, expected: string | undefined): boolean {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin';
  const origin = c.req.header('origin');
  if (!origin) return false;
  return origin === (expected ?? new URL(c.req.url).origin);
}

export function requireAuth(options: { permission?: Permission } = {}): MiddlewareHandler {
  return async (c, next) => {
    const verifier = c.get('accessVerifier' as never) as AccessVerifier | undefined;
    if (!verifier) throw new TypeError('requireAuth needs provideAccess(verifier) installed on the app');
    const auth = await verifier.verify(c.req.raw, { sourceIp: clientAddressOf(c) });
    if (auth.authMethod === 'session' && !SAFE_METHODS.has(c.req.method) && !sameOrigin(c, c.get('accessOrigin' as never))) {
      throw new AppError('AUTH_CSRF_REJECTED', 'Cross-site request refused');
    }
    if (options.permission && !auth.permissions.includes(options.permission)) {
      throw new AppError('AUTH_FORBIDDEN', `This needs the ${options.permission} permission`);
    }
    c.set('auth' as never, auth as never);
    await next();
  };
}

export function authOf(c: Context): AuthContext {
  const auth = c.get('auth' as never) as AuthContext | undefined;
  if (!auth) throw new TypeError('authOf(c) used on a route without requireAuth');
  return auth;
}

/**
 * The organization named in the path must be the credential's. Super-admins pass only where the
 * caller allows it (and audits the entry).
 */
export function requireOrganization(c: Context, organizationId: string, options: { allowSuperAdmin?: boolean } = {}): AuthContext {
  const auth = authOf(c);
  if (auth.organizationId === organizationId) return auth;
  if (options.allowSuperAdmin && auth.isSuperAdmin) return auth;
  throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
}
