// Short-lived, browser-bound state of a sign-in in progress, kept in sealed cookies rather than in
// the database: the login state (OAuth `state`, the PKCE verifier, where to return) between
// /auth/login and /auth/callback, and the pending organization choice between the callback and
// the organization picker.
//
// Threats: login CSRF and code injection (an attacker's code or state delivered to a victim's
// browser) — the `state` in the URL must equal the one sealed in this browser's cookie, and the
// code only redeems with this browser's PKCE verifier. Tampering and disclosure — the sealed box
// (core/sealed-box.ts) under the sign-in state's own key, with the cookie's purpose as associated
// data so a pending-selection cookie cannot be replayed as a login state. Replay after use — the callback
// clears the cookie, and WorkOS codes are single-use anyway.
import { createSealedBox } from '../core/sealed-box.ts';
import { sameOriginPath } from '../core/redirect-target.ts';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export type SealPurpose = 'login' | 'pending';

export type Opened<T> = { ok: true; value: T } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export interface Sealer {
  seal(purpose: SealPurpose, value: object, ttlMs: number): string;
  open<T>(purpose: SealPurpose, sealed: string | undefined): Opened<T>;
}

/** `secrets`: GATEHOUSE_SECRET first, then GATEHOUSE_PREVIOUS_SECRETS, so a rotation keeps sign-ins in flight. */
export function createSealer(secrets: readonly string[], clock: () => number = Date.now): Sealer {
  const box = createSealedBox('sign-in-state', secrets);
  return {
    seal(purpose, value, ttlMs) {
      return box.seal(JSON.stringify({ exp: clock() + ttlMs, value }), purpose);
    },
    open<T>(purpose: SealPurpose, sealed: string | undefined): Opened<T> {
      if (!sealed) return { ok: false, reason: 'missing' };
      let parsed: { exp: number; value: T };
      try {
        parsed = JSON.parse(box.open(sealed, purpose)) as { exp: number; value: T };
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (typeof parsed.exp !== 'number' || clock() >= parsed.exp) return { ok: false, reason: 'expired' };
      return { ok: true, value: parsed.value };
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
