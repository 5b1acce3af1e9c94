import { createHmac, timingSafeEqual } from 'node:crypto';

// The hosted pages keep no server-side session: what a step needs from earlier steps (the
// app's authorize request, a sign-in waiting for email verification or an organization choice)
// travels in hidden form fields as `<base64url JSON>.<HMAC>`. The MAC stops a browser from
// editing the redirect URI or swapping the user id between steps; the expiry stops an old page
// from being replayed later.

export interface FlowSealer {
  seal(value: unknown, ttlMs: number): string;
  /** The sealed value, or null when the token is forged, malformed or expired. */
  open<T>(token: string | undefined): T | null;
}

export function createFlowSealer(key: Buffer, now: () => number): FlowSealer {
  if (key.length < 32) throw new TypeError('flow sealing key must be at least 32 bytes');
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    seal(value, ttlMs) {
      const payload = Buffer.from(JSON.stringify({ v: value, exp: now() + ttlMs })).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    open<T>(token: string | undefined): T | null {
      if (!token) return null;
      const [payload, signature] = token.split('.');
      if (!payload || !signature) return null;
      const expected = Buffer.from(mac(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const { v, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v: T; exp: number };
        return typeof exp === 'number' && exp > now() ? v : null;
      } catch {
        return null;
      }
    },
  };
}
