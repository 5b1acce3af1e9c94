// GET /auth/verify: forward auth for any stack. A reverse proxy (nginx `auth_request`, Traefik
// ForwardAuth, Caddy `forward_auth`) sends the original request's Cookie and Authorization here
// before it lets the request through to an app written in any language. The answer comes from the
// one access decision point (src/access/access-decision.ts); this route only translates it:
//   allowed          200 with X-Gatehouse-User-Id, -Organization-Id, -Role, -Permissions, -Session-Id
//   refused, API     the decision's 401/403 as problem+json (with its WWW-Authenticate challenge)
//   refused, page    302 to Gatehouse's sign-in with returnTo = the original path, or, for nginx
//                    (`?proxy=nginx`: auth_request treats anything but 2xx/401/403 as an error),
//                    401 carrying the sign-in URL in X-Gatehouse-Sign-In for the config to redirect to
// Threat: the upstream trusts the X-Gatehouse-* headers, so a client that sends its own would act as
// anyone. The proxy must overwrite them from this answer (the documented nginx config sets each
// with `proxy_set_header`, which replaces — or, when empty, drops — whatever the client sent).
import { Hono, type Context } from 'hono';
import { decideAccess } from '../../access/access-decision.ts';
import type { AuthContext } from '../../core/auth-context.ts';
import type { AppError } from '../../core/errors.ts';
import { safeReturnTo } from '../../identity/login-state.ts';
import { problemResponse } from '../problem.ts';

export interface ForwardAuthDeps {
  authenticate(c: Context): Promise<AuthContext>;
  /** PUBLIC_URL: where the sign-in redirect points. */
  publicUrl: string;
}

export const IDENTITY_HEADERS = {
  userId: 'x-gatehouse-user-id',
  organizationId: 'x-gatehouse-organization-id',
  role: 'x-gatehouse-role',
  permissions: 'x-gatehouse-permissions',
  sessionId: 'x-gatehouse-session-id',
} as const;

/** The original request's method and path, as each proxy names them. */
function original(c: Context): { method: string; uri: string | undefined } {
  const method = c.req.header('x-forwarded-method') ?? c.req.header('x-original-method') ?? 'GET';
  const uri = c.req.header('x-forwarded-uri') ?? c.req.header('x-original-uri');
  return { method, uri };
}

/** A browser navigating to a page (sent to sign in), as opposed to an API call (told 401). */
function isPageNavigation(c: Context, method: string): boolean {
  if (!['GET', 'HEAD'].includes(method.toUpperCase())) return false;
  if (c.req.header('sec-fetch-mode') === 'navigate') return true;
  return (c.req.header('accept') ?? '').includes('text/html');
}

/**
 * The sign-in URL for a refused page. The return target is a same-origin path only (safeReturnTo):
 * threat — a crafted X-Forwarded-Uri turning Gatehouse's sign-in into an open redirect.
 */
export function signInUrl(publicUrl: string, forwardedUri: string | undefined): string {
  const returnTo = safeReturnTo(forwardedUri) ?? '/';
  return `${publicUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

function identityHeaders(auth: AuthContext): Record<string, string> {
  const p = auth.principal;
  const userId = p.type === 'user' ? p.userId : p.type === 'api_key' ? (p.ownerUserId ?? '') : '';
  return {
    [IDENTITY_HEADERS.userId]: userId,
    [IDENTITY_HEADERS.organizationId]: auth.organizationId,
    [IDENTITY_HEADERS.role]: auth.role,
    [IDENTITY_HEADERS.permissions]: auth.permissions.join(' '),
    [IDENTITY_HEADERS.sessionId]: auth.sessionId ?? '',
    'cache-control': 'no-store',
  };
}

export function forwardAuthRoutes(deps: ForwardAuthDeps): Hono {
  const app = new Hono();
  app.on(['GET', 'HEAD'], '/auth/verify', async (c) => {
    const { method, uri } = original(c);
    const decision = await decideAccess({ credential: () => deps.authenticate(c), method });
    if (decision.allowed) {
      const headers = Object.entries(identityHeaders(decision.auth)).filter(([, v]) => v !== '');
      return c.body(null, 200, Object.fromEntries(headers));
    }
    const error: AppError = decision.error;
    if (error.status === 401 && isPageNavigation(c, method)) {
      const location = signInUrl(deps.publicUrl, uri);
      if (c.req.query('proxy') === 'nginx')
        return c.body(null, 401, { 'x-gatehouse-sign-in': location, 'cache-control': 'no-store' });
      return c.redirect(location, 302);
    }
    return problemResponse(c, error);
  });
  return app;
}
