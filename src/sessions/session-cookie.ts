// The session cookie: an opaque `id.secret` handle and nothing else (DESIGN.md §2). The id finds
// the row; the secret's sha256 must match what the row stores, compared in constant time, so a
// database leak yields no usable cookie and a guessed id alone opens nothing.
// Attributes: HttpOnly (threat: script theft after an XSS), SameSite=Lax (cross-site POSTs carry no
// session), Path=/. Under https, Secure and the `__Host-` prefix: the browser then refuses the
// cookie from plain http or a sibling subdomain (threat: cookie tossing / session fixation).
//
// Exported API:
//   sessionCookieName(publicUrl), sessionCookieAttributes(publicUrl, maxAgeSeconds)
//   newSessionCredential(sessionId) -> { cookieValue, secretHash }
//   parseSessionCookie(value) -> { sessionId, secret } | null
//   secretMatches(secret, storedHash)
//   readCookie(cookieHeader, name)
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ID_PATTERN = /^ses_[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

export function sessionCookieName(publicUrl: string): string {
  return publicUrl.startsWith('https:') ? '__Host-gatehouse_session' : 'gatehouse_session';
}

export interface CookieAttributes {
  name: string;
  httpOnly: true;
  sameSite: 'Lax';
  path: '/';
  secure: boolean;
  maxAge: number;
}

export function sessionCookieAttributes(publicUrl: string, maxAgeSeconds: number): CookieAttributes {
  return {
    name: sessionCookieName(publicUrl),
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: publicUrl.startsWith('https:'),
    maxAge: maxAgeSeconds,
  };
}

/** A `Set-Cookie` value; `value: ''` with maxAge 0 clears the cookie. */
export function serializeSessionCookie(attributes: CookieAttributes, value: string): string {
  return `${attributes.name}=${value}; Path=/; Max-Age=${attributes.maxAge}; HttpOnly; SameSite=Lax${attributes.secure ? '; Secure' : ''}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSessionCredential(sessionId: string): { cookieValue: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { cookieValue: `${sessionId}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseSessionCookie(value: string | undefined): { sessionId: string; secret: string } | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  const sessionId = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (dot < 0 || !ID_PATTERN.test(sessionId) || !SECRET_PATTERN.test(secret)) return null;
  return { sessionId, secret };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
