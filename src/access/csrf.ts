// The one CSRF check (framework-free; the app-level middleware applies it to every request).
// Threat: another site making the browser send a state-changing request to us with our cookies
// attached (SameSite=Lax stops cross-site POSTs in browsers that honour it; this stops the rest,
// and same-site-but-cross-origin pages such as another port or a sibling subdomain, which
// SameSite does not). A request that carries a Cookie header and uses an unsafe method must prove
// it comes from our own origin: `Sec-Fetch-Site: same-origin` when the browser sends Fetch
// Metadata, else an `Origin` equal to ours. Neither header: refused, since every browser that can
// carry our cookie sends one of them on a POST. Requests without cookies (bearer tokens, API keys,
// webhooks) are not CSRF-able and pass.
//
// Exported API: crossSiteRefusal({ method, headers, expectedOrigin }) -> AppError | null, isSameOriginRequest
import { AppError } from '../core/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HeaderReader {
  get(name: string): string | null | undefined;
}

function isSameOriginRequest(headers: HeaderReader, expectedOrigin: string): boolean {
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin';
  const origin = headers.get('origin');
  return !!origin && origin !== 'null' && origin === expectedOrigin;
}

export function crossSiteRefusal(request: {
  method: string;
  headers: HeaderReader;
  expectedOrigin: string;
}): AppError | null {
  if (SAFE_METHODS.has(request.method.toUpperCase()) || !request.headers.get('cookie')) return null;
  if (isSameOriginRequest(request.headers, request.expectedOrigin)) return null;
  return new AppError('AUTH_CSRF_REJECTED', 'Cross-site request refused');
}
