// Appending to and reading an organization's audit chain in the database.
// Appends run inside the caller's transaction, so an audit entry commits together with the change
// it records (DESIGN.md §3.3). The chain head row is locked FOR UPDATE: concurrent writers of one
// organization queue on it and never fork the chain; other organizations are not blocked.
import { sql } from 'kysely';
import { newId } from '../core/ids.ts';
import type { AuditEventRow } from '../store/schema.ts';
import type { Tx } from '../store/tenant.ts';
import { GENESIS_HASH, hashAuditEvent, type AuditActor, type AuditTarget, type ChainedAuditEvent } from './chain.ts';
import { redactSecrets } from './redact.ts';
import type { ActingActor } from './actor.ts';

export interface AuditEventInput {
  organizationId: string;
  type: string;
  actor: AuditActor;
  target?: AuditTarget | null;
  data?: Record<string, unknown>;
}

export async function appendAuditEvent(tx: Tx, input: AuditEventInput): Promise<ChainedAuditEvent> {
  if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(input.type)) throw new TypeError(`audit event type must look like "area.action", got ${JSON.stringify(input.type)}`);
  const head = await lockChainHead(tx, input.organizationId);

  // An impersonated actor (audit/actor.ts) is recorded beside the actor, in the entry's data; the
  // actor itself stays { type, id } as the chain hashes and stores it.
  const { impersonator } = input.actor as ActingActor;
  const actor: AuditActor = { type: input.actor.type, id: input.actor.id };
  const withImpersonator = impersonator ? { ...input.data, impersonator: impersonator.email, impersonationReason: impersonator.reason } : input.data;
  // Normalize through JSON so that what is hashed is exactly what jsonb will give back.
  const data = JSON.parse(JSON.stringify(redactSecrets(withImpersonator ?? {}))) as Record<string, unknown>;
  const unhashed: Omit<ChainedAuditEvent, 'hash'> = {
    organizationId: input.organizationId,
    seq: head.seq + 1,
    id: newId('audit'),
    type: input.type,
    actor,
    target: input.target ?? null,
    data,
    createdAt: new Date().toISOString(),
    prevHash: head.hash,
  };
  const event: ChainedAuditEvent = { ...unhashed, hash: hashAuditEvent(unhashed) };
  // One statement writes the entry and moves the head, so the head lock is held for two round
  // trips (lock, write) plus the commit.
  await tx
    .with('entry', (db) =>
      db
        .insertInto('audit_events')
        .values({
          organization_id: event.organizationId,
          seq: event.seq,
          id: event.id,
          type: event.type,
          actor_type: event.actor.type,
          actor_id: event.actor.id,
          target_type: event.target?.type ?? null,
          target_id: event.target?.id ?? null,
          data: JSON.stringify(event.data),
          created_at: event.createdAt,
          prev_hash: event.prevHash,
          hash: event.hash,
        })
        .returning(['organization_id', 'seq', 'hash']),
    )
    .updateTable('audit_heads')
    .from('entry')
    .set((eb) => ({ seq: eb.ref('entry.seq'), hash: eb.ref('entry.hash'), updated_at: sql<Date>`now()` }))
    .whereRef('audit_heads.organization_id', '=', 'entry.organization_id')
    .execute();
  return event;
}

/** Locks the organization's chain head for this transaction, creating it on the first append. */
async function lockChainHead(tx: Tx, organizationId: string): Promise<{ seq: number; hash: string }> {
  const select = () => tx.selectFrom('audit_heads').select(['seq', 'hash']).where('organization_id', '=', organizationId).forUpdate().executeTakeFirst();
  const head = await select();
  if (head) return head;
  await tx
    .insertInto('audit_heads')
    .values({ organization_id: organizationId, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('organization_id').doNothing())
    .execute();
  const created = await select();
  if (!created) throw new Error(`audit chain head of ${organizationId} is not visible in this transaction`);
  return created;
}

export function auditEventFromRow(row: AuditEventRow): ChainedAuditEvent {
  return {
    organizationId: row.organization_id,
    seq: row.seq,
    id: row.id,
    type: row.type,
    actor: { type: row.actor_type, id: row.actor_id },
    target: row.target_type === null || row.target_id === null ? null : { type: row.target_type, id: row.target_id },
    data: row.data,
    createdAt: row.created_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Reads one organization's chain in seq order, a page at a time, so verifying or exporting a long
 * chain holds one page in memory. `read` runs each page in a fresh transaction of the caller's
 * choosing (tenant-scoped or system).
 */
export async function* readAuditChain(
  read: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  organizationId: string,
  pageSize = 1000,
): AsyncGenerator<ChainedAuditEvent> {
  let after = 0;
  for (;;) {
    const rows = await read((tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(pageSize)
        .execute(),
    );
    for (const row of rows) yield auditEventFromRow(row);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.seq;
  }
}
