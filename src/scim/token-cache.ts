// SCIM bearer tokens this instance verified in the last second, so an identity provider's push
// (hundreds of requests a second on one token) reads the token table about once a second instead
// of in a transaction of its own per request.
//
// Threat: a rotated, revoked or deleted directory's token still opening the directory. Bounds:
//   - on this instance, at once: rotation, revocation and deletion forget every entry after their
//     commit, and a lookup that overlapped one of them (read before its commit, finished after)
//     is not cached: the generation it started under is gone;
//   - on every other instance, within a second with no notification needed: an entry is kept for
//     at most TTL_MS from before the database read that verified it, and never past the expiry of
//     a rotated token (computed by the database, so no clock skew between instances matters);
//   - failed lookups are never cached: a token just issued on another instance works at once.
// Only the token's sha256 is a key; the token itself is never held.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { ScimDirectory } from './http.ts';

/** How long a verified token is trusted without reading the store again. */
export const SCIM_TOKEN_CACHE_TTL_MS = 1000;
/** Tokens are few (one or two per directory); a larger map means something is off: start over. */
const MAX_ENTRIES = 10_000;

interface Entry {
  directory: ScimDirectory;
  until: number;
}

interface TokenCache {
  generation: number;
  entries: Map<string, Entry>;
  /** Lookups under way: the clients of a push that all miss at once share one read. */
  reading: Map<string, { generation: number; result: Promise<ScimDirectory | null> }>;
}

// Keyed by the database handle (one per opened store), like the audit log's integration runs: the
// admin services and the SCIM router of one Gatehouse share it, no global.
const caches = new WeakMap<Kysely<Database>, TokenCache>();

function cacheOf(db: Kysely<Database>): TokenCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { generation: 0, entries: new Map(), reading: new Map() };
    caches.set(db, cache);
  }
  return cache;
}

/**
 * The directory `hash` opens, from the cache or from `lookup` (which also says how long the token
 * has left, in ms, when it expires). `now` is injectable for tests.
 */
export async function cachedTokenLookup(
  db: Kysely<Database>,
  hash: string,
  lookup: () => Promise<{ directory: ScimDirectory; remainingMs: number | null } | null>,
  now: () => number = Date.now,
): Promise<ScimDirectory | null> {
  const cache = cacheOf(db);
  const hit = cache.entries.get(hash);
  const started = now();
  if (hit && hit.until > started) return hit.directory;
  if (hit) cache.entries.delete(hash);
  const generation = cache.generation;
  // Joining a read that started before a rotation or revocation committed would answer from
  // before it: only a read of the current generation is shared.
  const shared = cache.reading.get(hash);
  if (shared && shared.generation === generation) return shared.result;
  const result = (async () => {
    const found = await lookup();
    if (!found || cache.generation !== generation) return found?.directory ?? null;
    const lifetime = Math.min(SCIM_TOKEN_CACHE_TTL_MS, found.remainingMs ?? Number.POSITIVE_INFINITY);
    if (lifetime > 0) {
      if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
      cache.entries.set(hash, { directory: found.directory, until: started + lifetime });
    }
    return found.directory;
  })();
  const reading = { generation, result };
  cache.reading.set(hash, reading);
  try {
    return await result;
  } finally {
    if (cache.reading.get(hash) === reading) cache.reading.delete(hash);
  }
}

/** Forgets every verified token of this store (after a rotation, revocation or deletion commits). */
export function forgetScimTokens(db: Kysely<Database>): void {
  const cache = cacheOf(db);
  cache.generation += 1;
  cache.entries.clear();
  cache.reading.clear();
}
