import { z } from 'zod';
import { draw } from './prng.ts';

// Chaos switches for webhook delivery. WorkOS promises neither order nor uniqueness of
// deliveries; these switches make a test environment show the same behaviour on purpose, and
// reproducibly: every decision is a pure function of the seed and the delivery's coordinates.

export interface ChaosSettings {
  /** Seed of every random decision; the same seed replays the same faults. */
  seed: number;
  /** Share (0..1) of deliveries sent twice, as two independent deliveries. */
  duplicateRate: number;
  /** Deliveries are released in shuffled batches of this size (0 or 1: no reordering). */
  reorderWindow: number;
  /** A window that has not filled is released after this long, so a slow stream still flows. */
  reorderHoldMs: number;
  /** Each delivery waits a seeded random 0..delayMs before its first attempt. */
  delayMs: number;
  /** The first N attempts of every delivery fail as if the connection had been refused. */
  failFirstAttempts: number;
  /** Share (0..1) of deliveries whose first attempt fails (on top of failFirstAttempts). */
  failFirstRate: number;
  /** Share (0..1) of deliveries never sent; the Events API still lists their events. */
  dropRate: number;
}

export const NO_CHAOS: Readonly<ChaosSettings> = Object.freeze({
  seed: 1,
  duplicateRate: 0,
  reorderWindow: 0,
  reorderHoldMs: 25,
  delayMs: 0,
  failFirstAttempts: 0,
  failFirstRate: 0,
  dropRate: 0,
});

const share = z.number().min(0).max(1);
const chaosPatchSchema = z
  .object({
    seed: z.number().int(),
    duplicateRate: share,
    reorderWindow: z.number().int().min(0).max(100_000),
    reorderHoldMs: z.number().int().min(0).max(60_000),
    delayMs: z.number().int().min(0).max(600_000),
    failFirstAttempts: z.number().int().min(0).max(100),
    failFirstRate: share,
    dropRate: share,
  })
  .partial()
  .strict();

export type ChaosPatch = z.infer<typeof chaosPatchSchema>;

/** Validates a (partial) settings object from a seed file or the control surface. */
export function parseChaosPatch(input: unknown): ChaosPatch {
  return chaosPatchSchema.parse(input);
}

export function applyChaosPatch(current: ChaosSettings, patch: ChaosPatch): ChaosSettings {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (next as Record<string, number>)[key] = value;
  }
  return next;
}

/** Coordinates of one delivery: the event's position in the stream and the endpoint. */
export interface DeliveryKey {
  seq: number;
  endpointId: string;
}

export function shouldDrop(c: ChaosSettings, k: DeliveryKey): boolean {
  return c.dropRate > 0 && draw(c.seed, 'drop', k.seq, k.endpointId) < c.dropRate;
}

export function shouldDuplicate(c: ChaosSettings, k: DeliveryKey): boolean {
  return c.duplicateRate > 0 && draw(c.seed, 'dup', k.seq, k.endpointId) < c.duplicateRate;
}

export function delayFor(c: ChaosSettings, k: DeliveryKey, copy: number): number {
  if (c.delayMs <= 0) return 0;
  return Math.floor(draw(c.seed, 'delay', k.seq, k.endpointId, copy) * (c.delayMs + 1));
}

/** Whether attempt `attempt` (1-based) of this delivery copy is made to fail. */
export function shouldFailAttempt(c: ChaosSettings, k: DeliveryKey, copy: number, attempt: number): boolean {
  if (attempt <= c.failFirstAttempts) return true;
  return attempt === 1 && c.failFirstRate > 0 && draw(c.seed, 'fail', k.seq, k.endpointId, copy) < c.failFirstRate;
}
