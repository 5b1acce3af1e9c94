// Audit trail API: list with filters and a cursor, verify the log, export it as JSON Lines ending
// in a signed checkpoint, read or issue checkpoints, and Merkle proofs (RFC 9162) between them.
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { asBuffer, auditEventFromRow, integrateInTx, readAuditHead, readAuditLog } from '../../../audit/audit-log.ts';
import type { AuditKeyRing, CheckpointSigner } from '../../../audit/checkpoint.ts';
import { issueCheckpoint, latestCheckpoint } from '../../../audit/checkpoints.ts';
import { formatCheckpointLine, formatEventLine } from '../../../audit/export-file.ts';
import { consistencyProof, inclusionProof } from '../../../audit/merkle.ts';
import { tenantReader, verifyStoredLog } from '../../../audit/verify.ts';
import { AppError } from '../../../core/errors.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant, type Tx } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { cursorQuery, decodeCursor, encodeCursor, limitQuery, listOf, orgParams } from '../common.ts';

const auditEvent = z.looseObject({
  organizationId: z.string(),
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const listQuery = z.strictObject({
  type: z
    .string()
    .regex(/^[a-z0-9_.]{1,100}$/)
    .optional(),
  actorId: z.string().min(1).max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});

const verifyResult = z.object({
  valid: z.boolean(),
  count: z.number().int(),
  rootHash: z.string().optional(),
  reason: z.string().optional(),
  firstInvalidSeq: z.number().int().optional(),
});

const checkpoint = z.object({
  organizationId: z.string(),
  size: z.number().int(),
  rootHash: z.string(),
  issuedAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

const size = z.coerce.number().int().min(0);
const consistencyQuery = z.strictObject({ from: size, to: size.optional() });
const inclusionQuery = z.strictObject({ seq: size.min(1), size: size.optional() });
const hex = (b: Buffer) => b.toString('hex');

/** Leaf hashes of the first `size` entries (or all), and the tree size they make. */
async function leaves(
  tx: Tx,
  orgId: string,
  size: number | undefined,
): Promise<{ leaves: Buffer[]; treeSize: number }> {
  await integrateInTx(tx, orgId);
  const treeSize = size ?? (await readAuditHead(tx, orgId))?.size ?? 0;
  const rows = await tx
    .selectFrom('audit_events')
    .select('leaf_hash')
    .where('organization_id', '=', orgId)
    .where('seq', '<=', treeSize)
    .orderBy('seq')
    .execute();
  if (rows.length !== treeSize)
    throw new AppError('AUDIT_PROOF_OUT_OF_RANGE', `The log has ${rows.length} events, not ${treeSize}`);
  return { leaves: rows.map((r) => asBuffer(r.leaf_hash)), treeSize };
}

export function auditRoutes(api: Api, store: Store, keys: AuditKeyRing | undefined): void {
  const signer = (): CheckpointSigner => {
    if (!keys?.signer)
      throw new AppError('AUDIT_SIGNING_KEY_MISSING', 'Audit checkpoints need AUDIT_SIGNING_KEY or GATEHOUSE_SECRET');
    return keys.signer;
  };

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events',
    summary: 'List audit events, newest first',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    query: listQuery,
    responses: { 200: { description: 'A page of events', schema: listOf(auditEvent) } },
    handler: async ({ params, query }) => {
      const before = decodeCursor(query.cursor, z.object({ seq: z.number().int() }));
      const rows = await inTenant(store.db, params.orgId, async (tx) => {
        await integrateInTx(tx, params.orgId);
        let q = tx.selectFrom('audit_events').select(['seq', 'entry']).where('organization_id', '=', params.orgId);
        if (query.type) q = q.where('type', '=', query.type);
        if (query.actorId) q = q.where('actor_id', '=', query.actorId);
        if (query.since) q = q.where('created_at', '>=', new Date(query.since));
        if (query.until) q = q.where('created_at', '<', new Date(query.until));
        if (before) q = q.where('seq', '<', before.seq);
        return q
          .orderBy('seq', 'desc')
          .limit(query.limit + 1)
          .execute();
      });
      const page = rows.slice(0, query.limit);
      const nextCursor = rows.length > query.limit ? encodeCursor({ seq: page[page.length - 1]!.seq }) : null;
      return { status: 200, body: { data: page.map(auditEventFromRow), nextCursor } };
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/verify',
    summary: "Recompute the organization's Merkle tree and compare it with the stored head and every signed checkpoint",
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    responses: { 200: { description: 'The verdict', schema: verifyResult } },
    handler: async ({ params }) => {
      const v = await verifyStoredLog(tenantReader(store.db, params.orgId), params.orgId, keys?.trusted ?? new Map());
      const body = v.valid
        ? { valid: true, count: v.size, rootHash: v.rootHash }
        : {
            valid: false,
            count: v.size,
            reason: v.reason,
            ...(v.firstInvalidSeq ? { firstInvalidSeq: v.firstInvalidSeq } : {}),
          };
      return { status: 200, body };
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/export',
    summary:
      'Export the log as JSON Lines ending in a signed checkpoint, verifiable offline with `gatehouse audit verify --file`',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    responses: {
      200: {
        description: 'One event per line in seq order, then the signed checkpoint of them all',
        schema: z.string(),
        contentType: 'application/x-ndjson',
      },
      503: { description: 'No checkpoint signing key is configured' },
    },
    handler: async ({ params, c }) => {
      const closing = await issueCheckpoint(store.db, signer(), params.orgId);
      c.header('content-type', 'application/x-ndjson');
      c.header('content-disposition', `attachment; filename="audit-${params.orgId}.jsonl"`);
      return stream(c, async (out) => {
        const read = tenantReader(store.db, params.orgId);
        for await (const e of readAuditLog(read, params.orgId, { upTo: closing.size }))
          await out.write(formatEventLine(params.orgId, e.seq, e.entry));
        await out.write(formatCheckpointLine(closing));
      });
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/checkpoints/latest',
    summary: 'The latest signed checkpoint of the log (one is issued if none exists yet)',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    responses: {
      200: { description: 'The checkpoint', schema: checkpoint },
      503: { description: 'No checkpoint signing key is configured' },
    },
    handler: async ({ params }) => {
      const latest = await inTenant(store.db, params.orgId, (tx) => latestCheckpoint(tx, params.orgId));
      return { status: 200, body: latest ?? (await issueCheckpoint(store.db, signer(), params.orgId)) };
    },
  });

  api.add({
    method: 'post',
    path: '/organizations/{orgId}/audit-events/checkpoints',
    summary: 'Sign a checkpoint of the log as it is now',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    responses: {
      201: { description: 'The new checkpoint', schema: checkpoint },
      503: { description: 'No checkpoint signing key is configured' },
    },
    handler: async ({ params }) => ({ status: 201, body: await issueCheckpoint(store.db, signer(), params.orgId) }),
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/proofs/consistency',
    summary: 'RFC 9162 consistency proof that the log of `from` events is a prefix of the log of `to` (default: now)',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    query: consistencyQuery,
    responses: {
      200: {
        description: 'The proof, hex hashes',
        schema: z.object({ fromSize: z.number().int(), toSize: z.number().int(), proof: z.array(z.string()) }),
      },
      400: { description: 'A size beyond the log' },
    },
    handler: async ({ params, query }) => {
      const { leaves: all, treeSize } = await inTenant(store.db, params.orgId, (tx) =>
        leaves(tx, params.orgId, query.to),
      );
      if (query.from > treeSize)
        throw new AppError('AUDIT_PROOF_OUT_OF_RANGE', `from (${query.from}) is beyond to (${treeSize})`);
      return {
        status: 200,
        body: { fromSize: query.from, toSize: treeSize, proof: consistencyProof(all, query.from).map(hex) },
      };
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/proofs/inclusion',
    summary: 'RFC 9162 inclusion proof of the event at `seq` in the log of `size` events (default: now)',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    query: inclusionQuery,
    responses: {
      200: {
        description: 'The proof, hex hashes, with the leaf hash and the exact leaf text',
        schema: z.object({
          seq: z.number().int(),
          treeSize: z.number().int(),
          leafHash: z.string(),
          entry: z.string(),
          proof: z.array(z.string()),
        }),
      },
      400: { description: 'A seq or size beyond the log' },
    },
    handler: async ({ params, query }) => {
      const result = await inTenant(store.db, params.orgId, async (tx) => {
        const { leaves: all, treeSize } = await leaves(tx, params.orgId, query.size);
        if (query.seq > treeSize)
          throw new AppError('AUDIT_PROOF_OUT_OF_RANGE', `seq ${query.seq} is beyond a log of ${treeSize}`);
        const row = await tx
          .selectFrom('audit_events')
          .select('entry')
          .where('organization_id', '=', params.orgId)
          .where('seq', '=', query.seq)
          .executeTakeFirstOrThrow();
        return { treeSize, all, entry: row.entry };
      });
      const body = {
        seq: query.seq,
        treeSize: result.treeSize,
        leafHash: hex(result.all[query.seq - 1]!),
        entry: result.entry,
        proof: inclusionProof(result.all, query.seq - 1).map(hex),
      };
      return { status: 200, body };
    },
  });
}
