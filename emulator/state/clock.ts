// The emulator's notion of "now". Tests move time forward (expire codes, tokens, invitations)
// by setting an offset instead of sleeping, so nothing in the suite depends on wall-clock waits.

export interface Clock {
  now(): Date;
  nowMs(): number;
  nowIso(): string;
  offsetMs(): number;
  setOffset(ms: number): void;
  advance(ms: number): void;
}

export function createClock(initialOffsetMs = 0): Clock {
  let offset = initialOffsetMs;
  const nowMs = () => Date.now() + offset;
  return {
    now: () => new Date(nowMs()),
    nowMs,
    nowIso: () => new Date(nowMs()).toISOString(),
    offsetMs: () => offset,
    setOffset(ms) {
      if (!Number.isFinite(ms)) throw new TypeError('clock offset must be a finite number of milliseconds');
      offset = ms;
    },
    advance(ms) {
      if (!Number.isFinite(ms)) throw new TypeError('clock advance must be a finite number of milliseconds');
      offset += ms;
    },
  };
}
