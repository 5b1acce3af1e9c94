// CORS as WorkOS answers it: an allowed origin (see services/cors-origins.ts) gets its own origin
// echoed with credentials allowed, on the preflight and on the response itself; any other origin
// gets no CORS headers at all, so the browser keeps the response from the page. Preflights are
// answered before API-key auth and before the route exists check, as browsers send them without
// credentials. The control surface is never offered to browsers.
import type { MiddlewareHandler } from 'hono';
import type { World } from '../state/world.ts';
import { isCorsOriginAllowed } from '../services/cors-origins.ts';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const DEFAULT_HEADERS = 'Authorization, Content-Type, Accept, Idempotency-Key, User-Agent';
const EXPOSED_HEADERS = 'X-Request-ID, Retry-After';

export function corsMiddleware(world: World): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const controlSurface = c.req.path.startsWith('/_emulator/');
    const allowed = origin !== undefined && !controlSurface && isCorsOriginAllowed(world, origin);
    const preflight = c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined;
    if (preflight) {
      const headers = new Headers({ Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' });
      if (allowed) {
        headers.set('Access-Control-Allow-Origin', origin);
        headers.set('Access-Control-Allow-Credentials', 'true');
        headers.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
        headers.set('Access-Control-Allow-Headers', c.req.header('access-control-request-headers') || DEFAULT_HEADERS);
        headers.set('Access-Control-Max-Age', '600');
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    if (origin === undefined) return;
    c.res.headers.append('Vary', 'Origin');
    if (!allowed) return;
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.set('Access-Control-Allow-Credentials', 'true');
    c.res.headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  };
}
