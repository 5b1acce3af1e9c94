// The hash chain, as pure functions shared by the appender, the database verifier and the
// offline verifier of an export:
//   hash = sha256_hex( prev_hash || canonical_json(event) )
// where event is every field of the entry except `hash` itself, and the first entry of a chain
// has prev_hash = GENESIS_HASH. Changing any field, reordering, inserting or removing an entry
// breaks every hash after it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor {
  type: 'user' | 'api_key' | 'm2m_app' | 'system' | 'provider_event' | 'directory';
  id: string | null;
}

export interface AuditTarget {
  type: string;
  id: string;
}

/** One entry exactly as it is hashed and exported. */
export interface ChainedAuditEvent {
  organizationId: string;
  seq: number;
  id: string;
  type: string;
  actor: AuditActor;
  target: AuditTarget | null;
  data: Record<string, unknown>;
  createdAt: string;
  prevHash: string;
  hash: string;
}

export function hashAuditEvent(event: Omit<ChainedAuditEvent, 'hash'>): string {
  const { organizationId, seq, id, type, actor, target, data, createdAt, prevHash } = event;
  const body = canonicalJson({ organizationId, seq, id, type, actor, target, data, createdAt, prevHash });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export type ChainVerdict =
  | { valid: true; count: number; headHash: string }
  | { valid: false; count: number; headHash: string; firstInvalidSeq: number; reason: string };

/**
 * Checks entries in order. Streams: feed it any iterable of entries of one organization, from
 * seq 1 on. Reports the first entry whose sequence, link or hash does not hold.
 */
export async function verifyChain(events: AsyncIterable<ChainedAuditEvent> | Iterable<ChainedAuditEvent>): Promise<ChainVerdict> {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  let organizationId: string | undefined;
  for await (const event of events) {
    const fail = (reason: string): ChainVerdict => ({ valid: false, count, headHash: prev, firstInvalidSeq: event.seq ?? expectedSeq, reason });
    organizationId ??= event.organizationId;
    if (event.organizationId !== organizationId) return fail('entry belongs to another organization');
    if (event.seq !== expectedSeq) return fail(`expected seq ${expectedSeq}`);
    if (event.prevHash !== prev) return fail('prev_hash does not match the previous entry');
    if (hashAuditEvent(event) !== event.hash) return fail('hash does not match the entry');
    prev = event.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { valid: true, count, headHash: prev };
}
