// The envelope every WorkOS event shares, webhook or Events API: `{ id, event, data, created_at }`.
// Only the envelope is validated here; each handler validates the `data` it reads, and an
// unknown `event` type passes through (stored and acknowledged, never rejected).
import { z } from 'zod';
import { AppError } from '../core/errors.ts';

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

export function parseProviderEvent(input: unknown): ProviderEvent {
  const parsed = EnvelopeSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)');
    throw new AppError('WEBHOOK_PAYLOAD_INVALID', 'The webhook body is not a WorkOS event', { details: { fields } });
  }
  return parsed.data;
}

/** The organization an event concerns, if any: where its audit entries and tenant rows go. */
export function organizationOf(event: ProviderEvent): string | null {
  const d = event.data;
  if (typeof d.organization_id === 'string' && d.organization_id) return d.organization_id;
  if (event.event.startsWith('organization.') && typeof d.id === 'string') return d.id;
  // Some events wrap their entity: a domain verification failure, a dsync group membership.
  for (const key of ['organization_domain', 'group', 'user']) {
    const inner = d[key] as { organization_id?: unknown } | null | undefined;
    if (inner && typeof inner === 'object' && typeof inner.organization_id === 'string' && inner.organization_id) return inner.organization_id;
  }
  return null;
}
