// CSRF check for cookie-authenticated state changes. Threat: another site making the browser
// POST to us with our cookies attached (SameSite=Lax stops cross-site POSTs in browsers that
// honour it; this stops the rest, and same-site-but-cross-origin pages such as another port or a
// sibling subdomain, which SameSite does not). A request that carries a Cookie header and uses an
// unsafe method must prove it comes from our own origin: `Sec-Fetch-Site: same-origin` when the
// browser sends Fetch Metadata, else an `Origin` equal to ours. Neither header: refused, since
// every browser that can carry our cookie sends one of them on a POST.
// Requests without cookies (bearer tokens, API keys, webhooks) are not CSRF-able and pass.
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfOptions {
  /** PUBLIC_URL; its origin is the only one allowed. Defaults to the request URL's origin. */
  publicUrl?: string | undefined;
}

export function isSameOriginRequest(headers: { get(name: string): string | null | undefined }, expectedOrigin: string): boolean {
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin';
  const origin = headers.get('origin');
  return !!origin && origin !== 'null' && origin === expectedOrigin;
}

export function csrf(options: CsrfOptions = {}): MiddlewareHandler {
  const configured = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && c.req.header('cookie')) {
      const expected = configured ?? new URL(c.req.url).origin;
      if (!isSameOriginRequest({ get: (n) => c.req.header(n) }, expected)) {
        throw new AppError('AUTH_CSRF_REJECTED', 'Cross-site request refused');
      }
    }
    await next();
  };
}
