// The one cookie codec: every cookie Gatehouse sets (the session handle, the sealed sign-in state)
// is written and read here, with the same attributes. HttpOnly (threat: script theft after an
// XSS), SameSite=Lax (cross-site POSTs carry no cookie), Path=/. Under https, Secure and the
// `__Host-` prefix: the browser then refuses the cookie from plain http or a sibling subdomain
// (threat: cookie tossing / session fixation). Values are opaque base64url tokens, never encoded.
//
// Exported API:
//   cookieFor(baseName, publicUrl, maxAgeSeconds) -> Cookie (name and attributes)
//   serializeCookie(cookie, value)   a Set-Cookie value; clearCookie(cookie) expires it
//   readCookie(cookieHeader, name)   the value of one cookie in a Cookie request header

export interface Cookie {
  name: string;
  secure: boolean;
  maxAge: number;
}

export function cookieFor(baseName: string, publicUrl: string, maxAgeSeconds: number): Cookie {
  const secure = publicUrl.startsWith('https:');
  return { name: secure ? `__Host-${baseName}` : baseName, secure, maxAge: maxAgeSeconds };
}

/** A `Set-Cookie` value. */
export function serializeCookie(cookie: Cookie, value: string): string {
  const secure = cookie.secure ? '; Secure' : '';
  return `${cookie.name}=${value}; Path=/; Max-Age=${cookie.maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

/** A `Set-Cookie` value that removes the cookie (same name, path and Secure, so the browser matches it). */
export function clearCookie(cookie: Cookie): string {
  return serializeCookie({ ...cookie, maxAge: 0 }, '');
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
