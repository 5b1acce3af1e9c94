// Failed API-key attempts, limited per source address with an in-memory token bucket. Threat:
// online guessing of keys. A key has 256 bits of entropy, so the limit is not what keeps keys
// safe; it keeps a scanner from turning the verifier into a database load generator. Only
// failures spend tokens, so a client with a valid key is never slowed by this.
//
// Exported API: createFailureLimiter({ burst, refillPerSecond, clock? }) -> { check(source), fail(source) }
export interface FailureLimiter {
  /** Seconds until `source` may try again, or 0 when it may try now. */
  retryAfter(source: string): number;
  /** Spends a token for a failed attempt. */
  fail(source: string): void;
}

export function createFailureLimiter(
  options: { burst?: number; refillPerSecond?: number; maxSources?: number; clock?: () => number } = {},
): FailureLimiter {
  const burst = options.burst ?? 10;
  const rate = options.refillPerSecond ?? 10 / 60;
  const maxSources = options.maxSources ?? 50_000;
  const clock = options.clock ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const level = (source: string) => {
    const now = clock();
    const b = buckets.get(source);
    if (!b) return { tokens: burst, at: now };
    return { tokens: Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate), at: now };
  };
  return {
    retryAfter(source) {
      const { tokens } = level(source);
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / rate);
    },
    fail(source) {
      const b = level(source);
      if (!buckets.has(source) && buckets.size >= maxSources) buckets.delete(buckets.keys().next().value!);
      buckets.set(source, { tokens: Math.max(0, b.tokens - 1), at: b.at });
    },
  };
}
