// Deterministic randomness for the chaos switches. Every decision is derived from the run's
// seed plus the decision's own coordinates (event sequence number, endpoint, attempt), not from
// one shared stream, so a replay with the same seed makes the same choices even though network
// timing interleaves the deliveries differently.

/** FNV-1a over the parts, mixed with the seed: a stable 32-bit state for one decision. */
function mix(seed: number, parts: readonly (string | number)[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0xff; // separator, so ("ab","c") and ("a","bc") differ
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: small, fast, good enough for test-fault scheduling (not for secrets). */
function createPrng(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One uniform draw in [0, 1) for the decision named by `parts` under `seed`. */
export function draw(seed: number, ...parts: (string | number)[]): number {
  return createPrng(mix(seed, parts))();
}

/** Fisher–Yates shuffle in place, driven by a seeded stream. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

export function seedStream(seed: number, ...parts: (string | number)[]): () => number {
  return createPrng(mix(seed, parts));
}
