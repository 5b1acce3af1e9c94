// Verifying chains held in the database. Operator tools read as the system (every organization);
// the tenant API reads inside the caller's own organization.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';
import { readAuditChain } from './audit-log.ts';
import { verifyChain, type ChainVerdict } from './chain.ts';

export function readChainAsSystem(db: Kysely<Database>, organizationId: string) {
  return readAuditChain((fn) => asSystem(db, 'audit verification', fn), organizationId);
}

export async function verifyStoredChain(db: Kysely<Database>, organizationId: string): Promise<ChainVerdict> {
  return verifyChain(readChainAsSystem(db, organizationId));
}

/** Organizations that have at least one audit entry, in id order. */
export async function organizationsWithAudit(db: Kysely<Database>): Promise<string[]> {
  const rows = await asSystem(db, 'audit verification', (tx) =>
    tx.selectFrom('audit_heads').select('organization_id').where('seq', '>', 0).orderBy('organization_id').execute(),
  );
  return rows.map((r) => r.organization_id);
}

export function describeVerdict(verdict: ChainVerdict): string {
  return verdict.valid
    ? `ok ${verdict.count} events, head ${verdict.headHash}`
    : `broken at seq ${verdict.firstInvalidSeq}: ${verdict.reason} (${verdict.count} events verified before it)`;
}
