// Headers every answer carries, set in one place after the route ran.
//
// Content-Security-Policy: the pages are server-rendered and run no script, so the policy starts
// from `default-src 'none'` and allows only what the markup needs (the one same-origin stylesheet —
// no inline style anywhere —, same-origin images, forms posting to us). The threat is injected markup that slipped past escaping: with
// no script source, no frame ancestors (clickjacking) and no <base> it can do very little.
// Forms may also post to the identity provider's origins, because sign-out and the admin portal
// answer a form with a redirect there and browsers apply `form-action` to those redirects.
//
// Cache-Control: an answer to a signed-in request (an admin page, an API answer, an audit export)
// must not stay in a shared or browser cache where the next user of the machine finds it; every
// answer that did not choose its own caching is `no-store`.
//
// Exported API: responseSecurity({ formActionOrigins? }) -> MiddlewareHandler, contentSecurityPolicy(origins)
import type { MiddlewareHandler } from 'hono';

export interface ResponseSecurityOptions {
  /** Origins besides 'self' that a form may post to or be redirected to (the identity provider). */
  formActionOrigins?: readonly string[];
}

function contentSecurityPolicy(formActionOrigins: readonly string[] = []): string {
  const formAction = ["'self'", ...formActionOrigins].join(' ');
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function responseSecurity(options: ResponseSecurityOptions = {}): MiddlewareHandler {
  const origins = (options.formActionOrigins ?? []).map((o) => new URL(o).origin);
  const policy = contentSecurityPolicy([...new Set(origins)]);
  return async (c, next) => {
    await next();
    c.res.headers.set('content-security-policy', policy);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  };
}
