// Applies the one CSRF check (src/access/csrf.ts) to every request of the app: cookie-carrying
// state changes must come from our own origin, whatever route they hit.
import type { MiddlewareHandler } from 'hono';
import { crossSiteRefusal } from '../../access/csrf.ts';

export interface CsrfOptions {
  /** PUBLIC_URL; its origin is the only one allowed. Defaults to the request URL's origin. */
  publicUrl?: string | undefined;
}

export function csrf(options: CsrfOptions = {}): MiddlewareHandler {
  const configured = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return async (c, next) => {
    const refusal = crossSiteRefusal({
      method: c.req.method,
      headers: c.req.raw.headers,
      expectedOrigin: configured ?? new URL(c.req.url).origin,
    });
    if (refusal) throw refusal;
    await next();
  };
}
