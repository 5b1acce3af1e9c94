// Bearer API-key authentication for the management API. Paths that OAuth clients or browsers
// reach without the secret key (token exchanges that check `client_secret` themselves, JWKS,
// authorize redirects, hosted pages, SCIM with its own token) are let through here.
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual, createHash } from 'node:crypto';

const PUBLIC_EXACT = new Set([
  '/user_management/authenticate',
  '/user_management/authorize',
  // RFC 8628: a CLI asks for a device code with its client id only.
  '/user_management/authorize/device',
  '/user_management/sessions/logout',
  '/sso/authorize',
  '/sso/token',
  '/sso/profile',
  '/sso/logout',
  '/oauth2/token',
  '/healthz',
  '/favicon.ico',
]);

const PUBLIC_PREFIXES = [
  '/sso/jwks/',
  '/scim/',
  '/portal/',
  '/invite',
  '/reset-password',
  '/_hosted/',
  '/test-idp',
  '/device',
];

export function isPublicPath(method: string, path: string): boolean {
  // `POST /portal/generate_link` is the API; the other /portal paths are the portal's pages.
  if (path === '/portal/generate_link') return false;
  return (
    PUBLIC_EXACT.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p)) || (method === 'GET' && path === '/')
  );
}

/** Compares digests so the comparison time does not depend on how much of the key matched. */
function sameKey(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `isRouted` says whether any route answers the request: an unknown path is a 404 whoever asks
 * (as WorkOS answers), so only real operations demand the key.
 */
export function apiKeyAuth(
  apiKey: string,
  isRouted: (method: string, path: string) => boolean = () => true,
): MiddlewareHandler {
  return async (c, next) => {
    if (isPublicPath(c.req.method, c.req.path) || !isRouted(c.req.method, c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !sameKey(match[1]!.trim(), apiKey)) {
      return c.json({ message: 'Unauthorized' }, 401);
    }
    return next();
  };
}
