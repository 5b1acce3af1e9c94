// One verifier for the log in the database and for an export file. It recomputes every leaf and
// the Merkle root as it streams (constant memory), and compares, in this order:
//   1. every signed checkpoint's signature, against the trusted keys   -> "checkpoint signature"
//   2. each entry: its position, organization, leaf hash and columns     -> "seq N"
//   3. each checkpoint's root against the root of that many entries      -> "checkpoint mismatch"
//   4. the stored head (size and root) against what was recomputed       -> "head mismatch"
//   5. checkpoints larger than the log (truncation)                      -> "checkpoint mismatch"
// and reports the first disagreement.
import { isDeepStrictEqual } from 'node:util';
import { verifyCheckpointSignature, type Checkpoint, type TrustedKeys } from './checkpoint.ts';
import type { StoredEntry } from './audit-log.ts';
import { leafHash, MerkleFrontier } from './merkle.ts';

export type LogVerdict =
  | { valid: true; organizationId: string; size: number; rootHash: string; checkpoints: number }
  | { valid: false; organizationId: string; size: number; reason: string; firstInvalidSeq?: number };

export interface VerifyLogOptions {
  organizationId: string;
  trusted: TrustedKeys;
  /** Signed checkpoints to hold the log to: stored ones, the export's own, one a tenant kept. */
  checkpoints: readonly Checkpoint[];
  /** The head the store claims; `label` names it and `mismatch` is the verdict's prefix when it disagrees. */
  head?: { size: number; root: Buffer; label?: string; mismatch?: string };
}

export type VerifiableEntry = Pick<StoredEntry, 'seq' | 'entry'> & Partial<Pick<StoredEntry, 'leafHash' | 'row'>>;

export async function verifyLog(
  entries: AsyncIterable<VerifiableEntry> | Iterable<VerifiableEntry>,
  options: VerifyLogOptions,
): Promise<LogVerdict> {
  const { organizationId } = options;
  const frontier = new MerkleFrontier();
  const fail = (reason: string, firstInvalidSeq?: number): LogVerdict => ({
    valid: false,
    organizationId,
    size: frontier.size,
    reason,
    ...(firstInvalidSeq === undefined ? {} : { firstInvalidSeq }),
  });
  const checkpoints = [...options.checkpoints].sort((a, b) => a.size - b.size);
  for (const c of checkpoints) {
    if (!verifyCheckpointSignature(c, options.trusted)) {
      return fail(
        `checkpoint signature: the checkpoint of size ${c.size} (key ${c.keyId}) is not signed by a trusted key`,
      );
    }
    if (c.organizationId !== organizationId) {
      return fail(`checkpoint mismatch: a checkpoint of ${c.organizationId} is not for ${organizationId}`);
    }
  }
  let next = 0;
  const checkAt = (size: number): string | undefined => {
    while (next < checkpoints.length && checkpoints[next]!.size === size) {
      const c = checkpoints[next++]!;
      if (frontier.root().toString('hex') !== c.rootHash) {
        return `checkpoint mismatch: the first ${size} events do not have the root signed at ${c.issuedAt}`;
      }
    }
    return undefined;
  };
  const atZero = checkAt(0);
  if (atZero) return fail(atZero);
  for await (const e of entries) {
    const seq = frontier.size + 1;
    const problem = checkEntry(e, seq, organizationId);
    if (problem) return fail(`seq ${seq}: ${problem}`, seq);
    frontier.push(leafHash(e.entry));
    const mismatch = checkAt(seq);
    if (mismatch) return fail(mismatch);
  }
  const rootHash = frontier.root().toString('hex');
  const head = options.head;
  if (head && (head.size !== frontier.size || head.root.toString('hex') !== rootHash)) {
    const claimed = `${head.label ?? 'the stored head'} says ${head.size} events with root ${head.root.toString('hex')}`;
    return fail(
      `${head.mismatch ?? 'head mismatch'}: ${claimed}, the events give ${frontier.size} with root ${rootHash}`,
    );
  }
  if (next < checkpoints.length) {
    const c = checkpoints[checkpoints.length - 1]!;
    const covers = `a checkpoint signed at ${c.issuedAt} covers ${c.size} events`;
    return fail(`checkpoint mismatch: ${covers}, the log has ${frontier.size}`);
  }
  return { valid: true, organizationId, size: frontier.size, rootHash, checkpoints: checkpoints.length };
}

function checkEntry(e: VerifiableEntry, seq: number, organizationId: string): string | undefined {
  if (e.seq !== seq) return `expected seq ${seq}, found seq ${e.seq}`;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(e.entry) as Record<string, unknown>;
  } catch {
    return 'the entry is not JSON';
  }
  if (parsed.seq !== seq) return `the entry records seq ${String(parsed.seq)}`;
  if (parsed.organizationId !== organizationId) return `the entry belongs to ${String(parsed.organizationId)}`;
  if (e.leafHash && !e.leafHash.equals(leafHash(e.entry))) return 'the stored leaf hash does not match the entry';
  if (e.row && !columnsMatch(e.row, parsed)) return 'the columns do not match the entry';
  return undefined;
}

// The columns are an index for queries; the entry is what is hashed. A rewritten column would let
// a listing show something the tree never recorded, so they must agree.
function columnsMatch(row: NonNullable<VerifiableEntry['row']>, entry: Record<string, unknown>): boolean {
  const actor = entry.actor as { type?: unknown; id?: unknown } | undefined;
  const target = entry.target as { type?: unknown; id?: unknown } | null | undefined;
  return (
    row.id === entry.id &&
    row.type === entry.type &&
    row.actor_type === actor?.type &&
    row.actor_id === (actor?.id ?? null) &&
    row.target_type === (target?.type ?? null) &&
    row.target_id === (target?.id ?? null) &&
    row.created_at.toISOString() === entry.createdAt &&
    isDeepStrictEqual(row.data, entry.data)
  );
}

export function describeLogVerdict(v: LogVerdict): string {
  return v.valid
    ? `ok ${v.size} events, root ${v.rootHash}, ${v.checkpoints} signed checkpoint${v.checkpoints === 1 ? '' : 's'} consistent`
    : `broken: ${v.reason} (${v.size} events verified before it)`;
}
