// Short-lived, browser-bound state of a sign-in in progress, kept in sealed cookies rather than in
// the database: the login state (OAuth `state`, the PKCE verifier, where to return) between
// /auth/login and /auth/callback, and the pending organization choice between the callback and
// the organization picker.
//
// Threats: login CSRF and code injection (an attacker's code or state delivered to a victim's
// browser) — the `state` in the URL must equal the one sealed in this browser's cookie, and the
// code only redeems with this browser's PKCE verifier. Tampering and disclosure — AES-256-GCM
// under a key derived from GATEHOUSE_SECRET, with the cookie's purpose as associated data so a
// pending-selection cookie cannot be replayed as a login state. Replay after use — the callback
// clears the cookie, and WorkOS codes are single-use anyway.
import { sameOriginPath } from '../core/redirect-target.ts';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export type SealPurpose = 'login' | 'pending';

export type Opened<T> = { ok: true; value: T } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export interface Sealer {
  seal(purpose: SealPurpose, value: object, ttlMs: number): string;
  open<T>(purpose: SealPurpose, sealed: string | undefined): Opened<T>;
}

const VERSION = 'v1';

export function createSealer(secret: string, clock: () => number = Date.now): Sealer {
  if (!secret || secret.length < 32) throw new TypeError('createSealer needs GATEHOUSE_SECRET (32+ characters)');
  const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'gatehouse sign-in state v1', 32));
  return {
    seal(purpose, value, ttlMs) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(purpose));
      const plain = Buffer.from(JSON.stringify({ exp: clock() + ttlMs, value }));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open<T>(purpose: SealPurpose, sealed: string | undefined): Opened<T> {
      if (!sealed) return { ok: false, reason: 'missing' };
      const [version, iv, body, tag, extra] = sealed.split('.');
      if (version !== VERSION || !iv || !body || !tag || extra !== undefined) return { ok: false, reason: 'invalid' };
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
        const parsed = JSON.parse(plain.toString('utf8')) as { exp: number; value: T };
        if (typeof parsed.exp !== 'number' || clock() >= parsed.exp) return { ok: false, reason: 'expired' };
        return { ok: true, value: parsed.value };
      } catch {
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}

/** Constant-time comparison of two state strings (the cookie's and the query's). */
export function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The SSO connection Gatehouse itself put in the authorization URL, and its organization. Sealed
 * in the login state, it is the only evidence a sign-in came through that connection: the
 * provider's answer says "SSO" and which organization, never which identity provider.
 */
export interface ChosenConnection {
  connectionId: string;
  organizationId: string;
}

/** The state carried from /auth/login to /auth/callback. */
export interface LoginState {
  state: string;
  codeVerifier: string;
  returnTo: string;
  connection?: ChosenConnection;
}

/** The organization choice carried from the callback to the picker. The token is secret. */
export interface PendingSelection {
  pendingToken: string;
  userId: string;
  email: string;
  organizations: Array<{ id: string; name: string }>;
  returnTo: string;
  connection?: ChosenConnection;
}

/**
 * `returnTo` accepts same-origin paths only: "/x", never "//evil.example", "/\\evil", a scheme or
 * a control character — an open redirect after sign-in is a phishing tool. The one check is
 * core/redirect-target.ts; this answers the normalised path to store and emit.
 */
export function safeReturnTo(value: string | undefined | null, publicUrl?: string): string | null {
  return sameOriginPath(value, publicUrl);
}
