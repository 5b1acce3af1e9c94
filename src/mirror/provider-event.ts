// The envelope every WorkOS event shares, webhook or Events API: `{ id, event, data, created_at }`.
// Only the envelope is validated here; each handler validates the `data` it reads, and an
// unknown `event` type passes through (stored and acknowledged, never rejected).
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { exceedsJsonDepth } from '../core/json-depth.ts';

export interface ProviderEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
}

const EnvelopeSchema = z.object({
  id: z.string().min(1).max(200),
  event: z.string().min(1).max(200),
  data: z.record(z.string(), z.unknown()),
  created_at: z.iso.datetime({ offset: true }),
});

/**
 * Deepest nesting an event may have. WorkOS events nest a few levels (custom and raw attributes
 * included); every walker downstream has a higher limit, so this refusal is the one callers see.
 */
const MAX_EVENT_DEPTH = 32;

/**
 * Threat: a correctly signed event nested thousands of levels deep would overflow the recursive
 * walkers (redaction, JSON.stringify, canonical JSON) with a 500 that WorkOS retries for days.
 * Refused here, before any of them runs, with a 400 it does not retry.
 */
export function parseProviderEvent(input: unknown): ProviderEvent {
  if (exceedsJsonDepth(input, MAX_EVENT_DEPTH)) {
    throw new AppError('WEBHOOK_PAYLOAD_TOO_DEEP', `The webhook body nests deeper than ${MAX_EVENT_DEPTH} levels`);
  }
  const parsed = EnvelopeSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)');
    throw new AppError('WEBHOOK_PAYLOAD_INVALID', 'The webhook body is not a WorkOS event', { details: { fields } });
  }
  return parsed.data;
}

/**
 * How far ahead of our clock an event's time may be before it is clamped; the same allowance the
 * signature check gives a delivery's timestamp.
 */
const MAX_EVENT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Threat: every mirrored row records the event time it reflects and ignores older events, so an
 * event dated far in the future (hostile, or a clock error) would freeze the row: a later
 * deactivation would be ignored as stale and the person keep access. An event time more than
 * MAX_EVENT_CLOCK_SKEW_MS ahead of `now` is therefore clamped to `now`: the event still applies
 * (refusing it could drop a real deactivation), ordered as if it happened when it arrived.
 */
export function clampEventTime(event: ProviderEvent, now: number): ProviderEvent {
  const at = Date.parse(event.created_at);
  if (!(at > now + MAX_EVENT_CLOCK_SKEW_MS)) return event;
  return { ...event, created_at: new Date(now).toISOString() };
}

/** The organization an event concerns, if any: where its audit entries and tenant rows go. */
export function organizationOf(event: ProviderEvent): string | null {
  const d = event.data;
  if (typeof d.organization_id === 'string' && d.organization_id) return d.organization_id;
  if (event.event.startsWith('organization.') && typeof d.id === 'string') return d.id;
  // Some events wrap their entity: a domain verification failure, a dsync group membership.
  for (const key of ['organization_domain', 'group', 'user']) {
    const inner = d[key] as { organization_id?: unknown } | null | undefined;
    if (inner && typeof inner === 'object' && typeof inner.organization_id === 'string' && inner.organization_id)
      return inner.organization_id;
  }
  return null;
}
