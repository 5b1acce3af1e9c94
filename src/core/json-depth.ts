// How deeply a JSON value nests, measured without recursion. Threat: a signed but hostile event
// (or any parsed body) nested thousands of levels deep overflows the stack of every recursive
// walker that later reads it (redaction, canonical JSON, JSON.stringify) and turns into a 500,
// which a webhook sender retries for days. Edges refuse such input with a 4xx before any walker
// runs; walkers keep their own limit as a second wall.

/** Deeper than any document Gatehouse receives or stores (WorkOS events nest a handful of levels). */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests objects/arrays more than `max` levels deep (a scalar is depth 0). */
export function exceedsJsonDepth(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
