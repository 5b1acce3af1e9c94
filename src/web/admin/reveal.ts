// One-time secrets between a form that creates one (an API key) and the page it redirects to.
// The POST keeps the secret here under a random token and redirects (post/redirect/get), so a
// reload never creates a second key; the GET takes it out once. Threats: the secret must not sit
// in a URL or the browser history (only the token does, and it is spent on first use), and
// nobody but the creator may redeem the token (it is bound to the credential and organization).
// Kept in this process's memory for a minute: after a restart, or if a load balancer sends the
// redirect to another instance, the page says the secret is gone and the key can be revoked.
import { randomBytes } from 'node:crypto';
import type { AuthContext } from '../../core/auth-context.ts';

export interface Reveal {
  notice: string;
  label: string;
  secret: string;
}

export interface RevealStore {
  put(reveal: Reveal, auth: AuthContext, organizationId: string): string;
  take(token: string, auth: AuthContext, organizationId: string): Reveal | null;
}

function ownerOf(auth: AuthContext, organizationId: string): string {
  const who =
    auth.sessionId ?? auth.apiKeyId ?? (auth.principal.type === 'user' ? auth.principal.userId : auth.principal.type);
  return `${who}|${organizationId}`;
}

export function createRevealStore(options: { ttlMs?: number; max?: number; clock?: () => number } = {}): RevealStore {
  const ttlMs = options.ttlMs ?? 60_000;
  const max = options.max ?? 1000;
  const now = options.clock ?? Date.now;
  const entries = new Map<string, { reveal: Reveal; owner: string; expiresAt: number }>();
  const sweep = () => {
    const t = now();
    for (const [token, entry] of entries) if (entry.expiresAt <= t) entries.delete(token);
    // Bounded: the oldest go first if someone creates keys faster than they read them.
    while (entries.size >= max) entries.delete(entries.keys().next().value!);
  };
  return {
    put(reveal, auth, organizationId) {
      sweep();
      const token = randomBytes(18).toString('base64url');
      entries.set(token, { reveal, owner: ownerOf(auth, organizationId), expiresAt: now() + ttlMs });
      return token;
    },
    take(token, auth, organizationId) {
      const entry = entries.get(token);
      if (!entry || entry.expiresAt <= now() || entry.owner !== ownerOf(auth, organizationId)) return null;
      entries.delete(token);
      return entry.reveal;
    },
  };
}
