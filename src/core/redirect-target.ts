// The one check every redirect target Gatehouse emits goes through (returnTo at sign-in and after
// the callback, organization switch, logout, the admin portal's return URL, form redirects).
// The threat is an open redirect after sign-in, a phishing tool: a value that looks like a path
// ("/./\/evil.example", "/a/..//evil.example", "/%09/evil.example") can become a protocol-relative
// URL once a URL parser normalises it — ours, or the browser's when it reads `Location`. So the
// value is normalised first with the WHATWG URL parser against PUBLIC_URL, and the check runs on
// the exact string that will be emitted, which must also survive a second parse unchanged.
//
// Exported API:
//   sameOriginPath(value, publicUrl?) -> the path to emit ("/admin?x=1#y") or null when refused
//   sameOriginUrl(value, publicUrl)   -> the same target made absolute on PUBLIC_URL, or null

const FALLBACK_BASE = 'http://gatehouse.invalid';
const MAX_LENGTH = 2048;
// C0 controls, space, DEL, C1 controls, and the bidi/zero-width characters that disguise a URL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f\\\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

function emittable(path: string): boolean {
  if (path.length > MAX_LENGTH || !path.startsWith('/') || path.startsWith('//')) return false;
  if (FORBIDDEN.test(path)) return false;
  // Percent-decoding must not reveal a slash or backslash right after the first one: some
  // servers and proxies decode before routing, turning "/%2F%2Fevil" into "//evil".
  if (/^\/(%2f|%5c)/i.test(path)) return false;
  return true;
}

export function sameOriginPath(value: string | undefined | null, publicUrl?: string): string | null {
  if (value === undefined || value === null || value === '') return '/';
  if (value.length > MAX_LENGTH || !value.startsWith('/') || FORBIDDEN.test(value)) return null;
  let base: URL;
  try {
    base = new URL(publicUrl || FALLBACK_BASE);
  } catch {
    return null;
  }
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || url.username || url.password) return null;
  const path = url.pathname + url.search + url.hash;
  if (!emittable(path)) return null;
  // What the browser does with the emitted string: it must land on the same origin and path.
  try {
    const again = new URL(path, base);
    if (again.origin !== base.origin || again.pathname + again.search + again.hash !== path) return null;
  } catch {
    return null;
  }
  return path;
}

/** Accepts a path or an absolute URL on PUBLIC_URL's origin; answers the absolute URL to emit. */
export function sameOriginUrl(value: string | undefined | null, publicUrl: string): string | null {
  let base: URL;
  try {
    base = new URL(publicUrl);
  } catch {
    return null;
  }
  let candidate = value;
  if (value && !value.startsWith('/')) {
    if (value.length > MAX_LENGTH || FORBIDDEN.test(value)) return null;
    try {
      const url = new URL(value);
      if (url.origin !== base.origin || url.username || url.password) return null;
      candidate = url.pathname + url.search + url.hash;
    } catch {
      return null;
    }
  }
  const path = sameOriginPath(candidate, publicUrl);
  return path === null ? null : base.origin + path;
}
