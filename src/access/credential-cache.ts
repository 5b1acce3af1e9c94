// Verified credentials, cached by sha256 of the credential's kind and value (the credential itself
// is never a map key: a heap dump must not yield bearer tokens). The kind is part of the key
// (threat: a session cookie replayed as a Bearer token, or an API key or M2M token planted as the
// session cookie, answering from the entry the other kind left behind), and an entry is only
// returned when the context it holds was made by that kind. Every entry is tagged with what can revoke it
// (session, user, membership, API key, organization); the revocation bus evicts matching entries
// at once, and a bus reset (missed notifications) flushes everything. The TTL bounds staleness
// only while the bus is down (DESIGN.md §3.4). An event this instance published itself arrives
// first through `onPublished`, before its transaction commits: matching entries go at once, and
// until the event comes back through the bus (or HOLD_MS passes, if that transaction rolled back)
// nothing it matches is cached again, so a read that raced the commit cannot put it back.
//
// Exported API: createCredentialCache({ ttlMs, maxEntries?, clock? }) -> CredentialCache
import { createHash } from 'node:crypto';
import type { AuthContext, RevocationEvent } from '../core/auth-context.ts';
import type { RevocationSubscriber } from '../sessions/revocation-bus.ts';

export interface CacheTags {
  organizationId: string;
  userId?: string;
  sessionId?: string;
  apiKeyId?: string;
}

interface Entry {
  context: AuthContext;
  tags: CacheTags;
  expiresAt: number;
}

/** Where a credential was presented and what it claims to be; each kind resolves its own way. */
export type CredentialKind = 'session_cookie' | 'jwt' | 'api_key';

/** The auth methods each kind may produce: a cookie is only ever a session, and so on. */
const METHODS_OF_KIND: Record<CredentialKind, readonly AuthContext['authMethod'][]> = {
  session_cookie: ['session'],
  jwt: ['access_token', 'm2m'],
  api_key: ['api_key'],
};

export interface CredentialCache extends RevocationSubscriber {
  get(kind: CredentialKind, credential: string): AuthContext | undefined;
  /** `notAfter`: the credential's own end (token exp, session idle end), if sooner than the TTL. */
  set(kind: CredentialKind, credential: string, context: AuthContext, tags: CacheTags, notAfter?: number): void;
  readonly size: number;
  clear(): void;
}

function cacheKey(kind: CredentialKind, credential: string): string {
  return createHash('sha256').update(kind).update('\0').update(credential).digest('base64url');
}

/** How long an unconfirmed local revocation holds back caching (its NOTIFY normally takes ms). */
export const HOLD_MS = 30_000;

function matches({ tags, context }: Pick<Entry, 'tags' | 'context'>, event: RevocationEvent): boolean {
  switch (event.kind) {
    case 'session':
      return tags.sessionId === event.sessionId;
    case 'api_key':
      return tags.apiKeyId === event.apiKeyId;
    case 'user':
      return tags.userId === event.userId && (!event.organizationId || tags.organizationId === event.organizationId);
    case 'membership':
      return tags.userId === event.userId && tags.organizationId === event.organizationId;
    case 'organization':
      return tags.organizationId === event.organizationId;
    case 'role':
      // A personal API key is also bounded by its owner's role, which may be the narrowed one.
      return (
        tags.organizationId === event.organizationId &&
        (context.role === event.role ||
          (context.principal.type === 'api_key' && context.principal.ownerUserId !== null))
      );
  }
}

export function createCredentialCache(options: {
  ttlMs: number;
  maxEntries?: number;
  clock?: () => number;
}): CredentialCache {
  const clock = options.clock ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const held = new Map<string, { event: RevocationEvent; until: number }>();
  const evict = (event: RevocationEvent) => {
    for (const [key, entry] of entries) if (matches(entry, event)) entries.delete(key);
  };
  const isHeld = (candidate: Pick<Entry, 'tags' | 'context'>) => {
    if (held.size === 0) return false;
    const now = clock();
    for (const [key, h] of held) {
      if (now >= h.until) held.delete(key);
      else if (matches(candidate, h.event)) return true;
    }
    return false;
  };
  return {
    get(kind, credential) {
      const key = cacheKey(kind, credential);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (clock() >= entry.expiresAt || !METHODS_OF_KIND[kind].includes(entry.context.authMethod)) {
        entries.delete(key);
        return undefined;
      }
      return entry.context;
    },
    set(kind, credential, context, tags, notAfter) {
      if (isHeld({ tags, context })) return;
      if (entries.size >= max) entries.delete(entries.keys().next().value!); // oldest first
      entries.set(cacheKey(kind, credential), {
        context,
        tags,
        expiresAt: Math.min(clock() + options.ttlMs, notAfter ?? Infinity),
      });
    },
    onEvent(event) {
      evict(event);
      held.delete(JSON.stringify(event));
    },
    onPublished(event) {
      evict(event);
      held.set(JSON.stringify(event), { event, until: clock() + HOLD_MS });
    },
    onReset() {
      entries.clear();
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
