// Issuing and reading signed checkpoints of an organization's log, and the background job that
// issues one every N events or T seconds. The signature is made here, in the application, with a
// key the database never sees; the database only stores the result.
import type { Kysely } from 'kysely';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../store/tenant.ts';
import { integrateAuditLog, integrateInTx, readAuditHead } from './audit-log.ts';
import type { Checkpoint, CheckpointSigner } from './checkpoint.ts';
import { EMPTY_ROOT } from './merkle.ts';

function checkpointFromRow(row: Database['audit_checkpoints']): Checkpoint {
  return {
    organizationId: row.organization_id,
    size: Number(row.size),
    rootHash: row.root_hash,
    issuedAt: row.issued_at,
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** Signs the organization's current head and stores the checkpoint. */
export async function issueCheckpoint(
  db: Kysely<Database>,
  signer: CheckpointSigner,
  organizationId: string,
): Promise<Checkpoint> {
  return inTenant(db, organizationId, async (tx) => {
    await integrateInTx(tx, organizationId);
    const head = (await readAuditHead(tx, organizationId)) ?? { size: 0, root: EMPTY_ROOT };
    const issuedAt = new Date().toISOString();
    const checkpoint = signer.sign({ organizationId, size: head.size, rootHash: head.root.toString('hex'), issuedAt });
    await tx
      .insertInto('audit_checkpoints')
      .values({
        organization_id: organizationId,
        size: checkpoint.size,
        root_hash: checkpoint.rootHash,
        issued_at: checkpoint.issuedAt,
        key_id: checkpoint.keyId,
        signature: checkpoint.signature,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return checkpoint;
  });
}

export async function latestCheckpoint(tx: Tx, organizationId: string): Promise<Checkpoint | undefined> {
  const row = await tx
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('size', 'desc')
    .orderBy('issued_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? checkpointFromRow(row) : undefined;
}

export async function allCheckpoints(tx: Tx, organizationId: string): Promise<Checkpoint[]> {
  const rows = await tx
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('size')
    .execute();
  return rows.map(checkpointFromRow);
}

export interface CheckpointerOptions {
  signer: CheckpointSigner;
  everyEvents: number;
  intervalMs: number;
  logger: Logger;
}

/**
 * Every tick: integrate entries left pending (a writer that died between its commit and its
 * integration), then checkpoint each organization that grew by `everyEvents` since its last
 * checkpoint, or grew at all and whose last checkpoint is older than `intervalMs`.
 */
export function startCheckpointer(
  db: Kysely<Database>,
  options: CheckpointerOptions,
): { close(): void; tick(): Promise<void> } {
  let _running: Promise<void> | undefined;
  const tick = async () => {
    const pending = await asSystem(db, 'audit integration sweep', (tx) =>
      tx.selectFrom('audit_pending').select('organization_id').distinct().execute(),
    );
    for (const { organization_id } of pending) await integrateAuditLog(db, organization_id);
    const due = await asSystem(db, 'audit checkpoint schedule', (tx) =>
      tx
        .selectFrom('audit_heads as h')
        .leftJoinLateral(
          (eb) =>
            eb
              .selectFrom('audit_checkpoints as c')
              .select(['c.size', 'c.issued_at'])
              .whereRef('c.organization_id', '=', 'h.organization_id')
              .orderBy('c.size', 'desc')
              .orderBy('c.issued_at', 'desc')
              .limit(1)
              .as('last'),
          (join) => join.onTrue(),
        )
        .select(['h.organization_id', 'h.seq', 'last.size', 'last.issued_at'])
        .execute(),
    );
    const now = Date.now();
    for (const row of due) {
      const lastSize = row.size === null ? 0 : Number(row.size);
      const grew = row.seq - lastSize;
      const old = row.issued_at === null || now - Date.parse(row.issued_at) >= options.intervalMs;
      const signNow = grew >= options.everyEvents || (grew > 0 && old);
      if (signNow) await issueCheckpoint(db, options.signer, row.organization_id);
    }
  };
  const run = () => {
    _running ??= tick()
      .catch((error: unknown) => options.logger.warn({ err: error }, 'audit checkpoint run failed'))
      .finally(() => {
        _running = undefined;
      });
  };
  const timer = setInterval(run, Math.min(options.intervalMs, 5000));
  timer.unref();
  return { close: () => clearInterval(timer), tick };
}
