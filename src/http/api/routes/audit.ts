// Audit trail API: list with filters and a cursor, verify the chain, export it as JSON Lines.
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { auditEventFromRow, readAuditChain } from '../../../audit/audit-log.ts';
import { verifyChain } from '../../../audit/chain.ts';
import { formatExportLine } from '../../../audit/export-file.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { cursorQuery, decodeCursor, encodeCursor, limitQuery, listOf, orgParams } from '../common.ts';

const auditEvent = z.object({
  organizationId: z.string(),
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

const listQuery = z.strictObject({
  type: z.string().regex(/^[a-z0-9_.]{1,100}$/).optional(),
  actorId: z.string().min(1).max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});

const verifyResult = z.object({ valid: z.boolean(), count: z.number().int(), headHash: z.string(), firstInvalidSeq: z.number().int().optional() });

export function auditRoutes(api: Api, store: Store): void {
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
      const rows = await inTenant(store.db, params.orgId, (tx) => {
        let q = tx.selectFrom('audit_events').selectAll().where('organization_id', '=', params.orgId);
        if (query.type) q = q.where('type', '=', query.type);
        if (query.actorId) q = q.where('actor_id', '=', query.actorId);
        if (query.since) q = q.where('created_at', '>=', new Date(query.since));
        if (query.until) q = q.where('created_at', '<', new Date(query.until));
        if (before) q = q.where('seq', '<', before.seq);
        return q.orderBy('seq', 'desc').limit(query.limit + 1).execute();
      });
      const page = rows.slice(0, query.limit).map(auditEventFromRow);
      const nextCursor = rows.length > query.limit ? encodeCursor({ seq: page[page.length - 1]!.seq }) : null;
      return { status: 200, body: { data: page, nextCursor } };
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/verify',
    summary: "Recompute the organization's hash chain",
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    responses: { 200: { description: 'The verdict', schema: verifyResult } },
    handler: async ({ params }) => {
      const verdict = await verifyChain(readAuditChain((fn) => inTenant(store.db, params.orgId, fn), params.orgId));
      const body = verdict.valid
        ? { valid: true, count: verdict.count, headHash: verdict.headHash }
        : { valid: false, count: verdict.count, headHash: verdict.headHash, firstInvalidSeq: verdict.firstInvalidSeq };
      return { status: 200, body };
    },
  });

  api.add({
    method: 'get',
    path: '/organizations/{orgId}/audit-events/export',
    summary: 'Export the chain as JSON Lines, verifiable offline with `gatehouse audit verify --file`',
    tag: 'Audit',
    permission: 'audit:read',
    params: orgParams,
    responses: { 200: { description: 'One event per line, in seq order', schema: z.string(), contentType: 'application/x-ndjson' } },
    handler: async ({ params, c }) => {
      c.header('content-type', 'application/x-ndjson');
      c.header('content-disposition', `attachment; filename="audit-${params.orgId}.jsonl"`);
      return stream(c, async (out) => {
        for await (const event of readAuditChain((fn) => inTenant(store.db, params.orgId, fn), params.orgId)) await out.write(formatExportLine(event));
      });
    },
  });
}
