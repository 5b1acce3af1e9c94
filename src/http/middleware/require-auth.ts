// Route protection for apps embedding Gatehouse. `provideAccess(verifier, { publicUrl })` runs
// once at the app level: it makes the access decision point available and applies the one CSRF
// check (src/access/csrf.ts: cookie-carrying state changes must come from our own origin).
// `requireAuth({ permission?, organizationParam? })` on a route or group asks the decision point
// (src/access/access-decision.ts) — 401 with WWW-Authenticate, 404 for another tenant, 403 — and
// puts the context at `c.get('auth')`. `requireOrganization(c, orgId)` is the decision point's
// organization rule for a route that learns the organization later (DESIGN.md §3.1: a miss across
// tenants never says 403). Nothing here decides on its own.
//
// Exported API: provideAccess, requireAuth, requireOrganization, authOf, AccessVariables, AccessEnv
import type { Context, MiddlewareHandler } from 'hono';
import { createAccessDecision, organizationRefusal, type AccessDecisionPoint } from '../../access/access-decision.ts';
import type { AccessVerifier } from '../../access/access-verifier.ts';
import { crossSiteRefusal } from '../../access/csrf.ts';
import { clientAddressOf } from '../client-address.ts';
import type { AuthContext } from '../../core/auth-context.ts';

export interface AccessVariables {
  accessDecision: AccessDecisionPoint;
  auth: AuthContext;
}

/** The Hono environment of an app or route that uses provideAccess/requireAuth. */
export interface AccessEnv {
  Variables: AccessVariables;
}

export function provideAccess(
  verifier: AccessVerifier,
  options: { publicUrl?: string } = {},
): MiddlewareHandler<AccessEnv> {
  const origin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const decision = createAccessDecision({ verifier });
  return async (c, next) => {
    const refusal = crossSiteRefusal({
      method: c.req.method,
      headers: c.req.raw.headers,
      expectedOrigin: origin ?? new URL(c.req.url).origin,
    });
    if (refusal) throw refusal;
    c.set('accessDecision', decision);
    await next();
  };
}

export interface RequireAuthOptions {
  /** Gatehouse's own permission or one the app declared (GATEHOUSE_APP_PERMISSIONS_FILE). */
  permission?: string;
  /** The route parameter naming the organization the route acts in (checked by the decision point). */
  organizationParam?: string;
  changesRoles?: boolean;
}

export function requireAuth(options: RequireAuthOptions = {}): MiddlewareHandler<AccessEnv> {
  return async (c, next) => {
    const decision: AccessDecisionPoint | undefined = c.get('accessDecision');
    if (!decision) throw new TypeError('requireAuth needs provideAccess(verifier) installed on the app');
    const { auth } = await decision.authorize({
      headers: c.req.raw.headers,
      method: c.req.method,
      sourceIp: clientAddressOf(c),
      permission: options.permission ?? null,
      organizationId: options.organizationParam ? c.req.param(options.organizationParam) : undefined,
      changesRoles: options.changesRoles,
    });
    c.set('auth', auth);
    await next();
  };
}

export function authOf(c: Context<AccessEnv>): AuthContext {
  const auth: AuthContext | undefined = c.get('auth');
  if (!auth) throw new TypeError('authOf(c) used on a route without requireAuth');
  return auth;
}

/**
 * The organization named in the path must be the credential's. Super-admins pass only where the
 * caller allows it (and audits the entry).
 */
export function requireOrganization(
  c: Context<AccessEnv>,
  organizationId: string,
  options: { allowSuperAdmin?: boolean } = {},
): AuthContext {
  const auth = authOf(c);
  const refusal = organizationRefusal(auth, organizationId, options);
  if (refusal) throw refusal;
  return auth;
}
