// The session cookie: an opaque `id.secret` handle and nothing else (DESIGN.md §2). The id finds
// the row; the secret's sha256 must match what the row stores, compared in constant time, so a
// database leak yields no usable cookie and a guessed id alone opens nothing.
// Its attributes (HttpOnly, SameSite=Lax, `__Host-` under https) are the one cookie codec's,
// core/cookie.ts.
//
// Exported API:
//   sessionCookie(publicUrl, maxAgeSeconds) -> Cookie
//   newSessionCredential(sessionId) -> { cookieValue, secretHash }
//   parseSessionCookie(value) -> { sessionId, secret } | null
//   secretMatches(secret, storedHash)
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { cookieFor, type Cookie } from '../core/cookie.ts';

const ID_PATTERN = /^ses_[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

/** The session cookie's name and attributes (core/cookie.ts) for PUBLIC_URL. */
export function sessionCookie(publicUrl: string, maxAgeSeconds: number): Cookie {
  return cookieFor('gatehouse_session', publicUrl, maxAgeSeconds);
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
