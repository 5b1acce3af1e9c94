// Verifying logs held in the database. Operator tools read as the system (every organization);
// the tenant API reads inside the caller's own organization.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../store/tenant.ts';
import { integrateInTx, readAuditHead, readAuditLog } from './audit-log.ts';
import { allCheckpoints } from './checkpoints.ts';
import type { Checkpoint, TrustedKeys } from './checkpoint.ts';
import { EMPTY_ROOT } from './merkle.ts';
import { verifyLog, type LogVerdict } from './verify-log.ts';

export type Reader = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export function systemReader(db: Kysely<Database>): Reader {
  return (fn) => asSystem(db, 'audit verification', fn);
}

export function tenantReader(db: Kysely<Database>, organizationId: string): Reader {
  return (fn) => inTenant(db, organizationId, fn);
}

/**
 * Checks the organization's events against their Merkle tree, the stored head and every signed
 * checkpoint (those stored, plus any the caller kept), naming the first inconsistency.
 */
export async function verifyStoredLog(
  read: Reader,
  organizationId: string,
  trusted: TrustedKeys,
  kept: readonly Checkpoint[] = [],
): Promise<LogVerdict> {
  const { head, checkpoints } = await read(async (tx) => {
    await integrateInTx(tx, organizationId);
    return { head: await readAuditHead(tx, organizationId), checkpoints: await allCheckpoints(tx, organizationId) };
  });
  return verifyLog(readAuditLog(read, organizationId), {
    organizationId,
    trusted,
    checkpoints: [...checkpoints, ...kept],
    head: head ?? { size: 0, root: EMPTY_ROOT },
  });
}

/** Organizations that have an audit log, in id order. */
export async function organizationsWithAudit(db: Kysely<Database>): Promise<string[]> {
  const rows = await asSystem(db, 'audit verification', (tx) =>
    tx.selectFrom('audit_heads').select('organization_id').orderBy('organization_id').execute(),
  );
  return rows.map((r) => r.organization_id);
}

export async function organizationExists(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  const row = await asSystem(db, 'audit verification', (tx) =>
    tx.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst(),
  );
  return row !== undefined;
}
