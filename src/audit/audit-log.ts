// Appending to and reading an organization's audit log.
//
// appendAuditEvent runs inside the caller's transaction and submits the entry through the
// database function gatehouse_audit_submit, so the entry commits together with the change it
// records (DESIGN.md §3.3) or not at all. No caller picks a position or a hash: once the
// transaction commits, gatehouse_audit_integrate places every entry pending for the organization
// into its Merkle tree in one transaction under one lock of the head (group commit): writers
// that commit together share one head update instead of queueing on the head one by one.
// Readers integrate first, so what a caller committed is visible to the next read.
import { sql, type Kysely } from 'kysely';
import { newId } from '../core/ids.ts';
import type { AuditEventRow, Database } from '../store/schema.ts';
import { afterCommit, type Tx } from '../store/tenant.ts';
import type { AuditActor, AuditEvent, AuditTarget } from './chain.ts';
import { redactSecrets } from './redact.ts';
import type { ActingActor } from './actor.ts';

export interface AuditEventInput {
  organizationId: string;
  type: string;
  actor: AuditActor;
  /** Who acted on the actor's behalf (a super-admin impersonating), recorded beside the actor. */
  impersonator?: AuditActor | null;
  target?: AuditTarget | null;
  data?: Record<string, unknown>;
}

export interface SubmittedAuditEvent {
  organizationId: string;
  id: string;
  type: string;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export async function appendAuditEvent(tx: Tx, input: AuditEventInput): Promise<SubmittedAuditEvent> {
  const event = auditEventToSubmit(input);
  await sql`SELECT gatehouse_audit_submit(${input.organizationId}, ${JSON.stringify(event)}::jsonb)`.execute(tx);
  afterCommit(tx, (db) => integrateSoon(db, input.organizationId), `audit:${input.organizationId}`);
  return { organizationId: input.organizationId, id: event.id, type: input.type };
}

/**
 * Appends several entries of one organization in one round trip, in the order given: the same
 * database function submits each (so the tenant check and the shape check are the ones a single
 * append gets), and the group commit files them into the tree in submission order. The tree cannot
 * tell a batch from single appends, so verification is unchanged.
 */
export async function appendAuditEvents(
  tx: Tx,
  organizationId: string,
  inputs: ReadonlyArray<Omit<AuditEventInput, 'organizationId'>>,
): Promise<SubmittedAuditEvent[]> {
  if (inputs.length === 0) return [];
  const events = inputs.map((input) => auditEventToSubmit({ ...input, organizationId }));
  // WITH ORDINALITY and the ORDER BY fix the submission order (pending_id follows it).
  await sql`SELECT count(gatehouse_audit_submit(${organizationId}, e.value)) FROM
    (SELECT value FROM jsonb_array_elements(${JSON.stringify(events)}::jsonb) WITH ORDINALITY AS t(value, i)
     ORDER BY i) AS e`.execute(tx);
  afterCommit(tx, (db) => integrateSoon(db, organizationId), `audit:${organizationId}`);
  return events.map((e) => ({ organizationId, id: e.id, type: e.type }));
}

/** The entry as submitted: validated type, the actor split from an impersonator, secrets redacted. */
function auditEventToSubmit(input: AuditEventInput) {
  if (!EVENT_TYPE.test(input.type))
    throw new TypeError(`audit event type must look like "area.action", got ${JSON.stringify(input.type)}`);
  const { organizationId: _org, type, actor: acting, target, data: given, ...extra } = input;
  // An impersonated actor (audit/actor.ts) is recorded beside the actor, in the entry's data; the
  // actor itself stays { type, id }.
  const { impersonator } = acting as ActingActor;
  const actor: AuditActor = { type: acting.type, id: acting.id };
  const data = impersonator
    ? { ...given, impersonator: impersonator.email, impersonationReason: impersonator.reason }
    : given;
  const event = {
    ...extra,
    id: newId('audit'),
    type,
    actor,
    target: target ?? null,
    // Secrets never enter the log (it is exported and kept forever).
    data: redactSecrets(data ?? {}),
  };
  if (event.impersonator === undefined) delete event.impersonator;
  return event;
}

// Writers of one organization in this process share integration runs: while one runs, later
// writers wait for a single follow-up run (which starts after their commit, so it files their
// entries) instead of each queueing on the head lock. Keyed by the database handle, no global.
const runs = new WeakMap<Kysely<Database>, Map<string, { current: Promise<void>; next?: Promise<void> }>>();

function integrateSoon(db: Kysely<Database>, organizationId: string): Promise<void> {
  const byOrg = runs.get(db) ?? new Map<string, { current: Promise<void>; next?: Promise<void> }>();
  runs.set(db, byOrg);
  const state = byOrg.get(organizationId);
  if (!state) {
    const current = integrateAuditLog(db, organizationId)
      .then(() => undefined)
      .finally(() => advance(byOrg, organizationId));
    byOrg.set(organizationId, { current });
    return current;
  }
  // The follow-up run starts whether the current one failed or not: that failure already reached
  // the current run's callers, and the follow-up files what they submitted since.
  state.next ??= state.current
    .catch(() => undefined)
    .then(() => integrateAuditLog(db, organizationId))
    .then(() => undefined);
  return state.next;
}

function advance(byOrg: Map<string, { current: Promise<void>; next?: Promise<void> }>, organizationId: string): void {
  const state = byOrg.get(organizationId);
  if (!state?.next) {
    byOrg.delete(organizationId);
    return;
  }
  // Its callers see a failure; this bookkeeping copy must not become an unhandled rejection.
  const current = state.next.catch(() => undefined).finally(() => advance(byOrg, organizationId));
  byOrg.set(organizationId, { current });
}

/**
 * Places the organization's committed pending entries into its tree; returns the new size or
 * null. One statement in a transaction of its own, so the head lock lasts one round trip.
 */
export async function integrateAuditLog(db: Kysely<Database> | Tx, organizationId: string): Promise<number | null> {
  const { rows } = await sql<{
    size: number | null;
  }>`SELECT gatehouse_audit_integrate(${organizationId}) AS size`.execute(db);
  return rows[0]?.size ?? null;
}

/** The same inside a reader's transaction, so that it reads what was committed before it. */
export const integrateInTx: (tx: Tx, organizationId: string) => Promise<number | null> = integrateAuditLog;

export function auditEventFromRow(row: Pick<AuditEventRow, 'entry'>): AuditEvent {
  return JSON.parse(row.entry) as AuditEvent;
}

export interface StoredEntry {
  seq: number;
  entry: string;
  leafHash: Buffer;
  row: Pick<
    AuditEventRow,
    'organization_id' | 'id' | 'type' | 'actor_type' | 'actor_id' | 'target_type' | 'target_id' | 'data' | 'created_at'
  >;
}

/**
 * Reads one organization's log in seq order, a page at a time, so verifying or exporting a long
 * log holds one page in memory. `read` runs each page in a fresh transaction of the caller's
 * choosing (tenant-scoped or system).
 */
export async function* readAuditLog(
  read: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  organizationId: string,
  options: { pageSize?: number; upTo?: number } = {},
): AsyncGenerator<StoredEntry> {
  const pageSize = options.pageSize ?? 2000;
  let after = 0;
  for (;;) {
    const from = after;
    const rows = await read((tx) => {
      let query = tx
        .selectFrom('audit_events')
        .select([
          'organization_id',
          'seq',
          'id',
          'type',
          'actor_type',
          'actor_id',
          'target_type',
          'target_id',
          'data',
          'created_at',
          'entry',
          'leaf_hash',
        ])
        .where('organization_id', '=', organizationId)
        .where('seq', '>', from);
      if (options.upTo !== undefined) query = query.where('seq', '<=', options.upTo);
      return query.orderBy('seq').limit(pageSize).execute();
    });
    for (const row of rows) yield { seq: row.seq, entry: row.entry, leafHash: asBuffer(row.leaf_hash), row };
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.seq;
  }
}

/** The stored head: size and Merkle root as the database last wrote them. */
export async function readAuditHead(
  tx: Tx,
  organizationId: string,
): Promise<{ size: number; root: Buffer } | undefined> {
  const head = await tx
    .selectFrom('audit_heads')
    .select(['seq', 'root'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return head ? { size: head.seq, root: asBuffer(head.root) } : undefined;
}

/** bytea arrives as a Buffer from node-postgres and as a plain Uint8Array from PGlite. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
