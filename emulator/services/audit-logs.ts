// Audit Logs as WorkOS keeps them for an application: events ingested per organization (checked
// against the action's latest schema when one was registered), action schemas with versions,
// CSV exports over a time range, and a per-organization retention period.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { AuditLogExportWire, AuditLogSchemaWire } from '../state/platform-types.ts';
import { EmulatorError, notFound, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';

const Target = z.object({ type: z.string().min(1), metadata: z.record(z.string(), z.unknown()).optional() });
const SchemaInput = z.object({
  actor: z.object({ metadata: z.record(z.string(), z.unknown()) }).optional(),
  targets: z.array(Target).min(1),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const AuditLogEventInput = z.object({
  organization_id: z.string().min(1),
  event: z
    .object({
      action: z.string().min(1),
      occurred_at: z.string().min(1),
      actor: z.object({ id: z.string(), type: z.string() }).loose(),
      targets: z.array(z.object({ id: z.string(), type: z.string() }).loose()),
      context: z.object({ location: z.string() }).loose(),
      version: z.number().int().optional(),
    })
    .loose(),
});

const ExportInput = z.object({
  organization_id: z.string().min(1),
  range_start: z.iso.datetime({ offset: true }),
  range_end: z.iso.datetime({ offset: true }),
  actions: z.array(z.string()).optional(),
  actors: z.array(z.string()).optional(),
  actor_names: z.array(z.string()).optional(),
  actor_ids: z.array(z.string()).optional(),
  targets: z.array(z.string()).optional(),
});

const DEFAULT_RETENTION_DAYS = 365;

export function createAuditLogSchema(ctx: EmulatorContext, action: string, body: unknown): AuditLogSchemaWire {
  const input = parseInput(SchemaInput, body);
  const { world } = ctx;
  const now = world.nowIso();
  const record = world.auditLogActions.get(action) ?? { name: action, schemas: [], created_at: now, updated_at: now };
  const schema: AuditLogSchemaWire = {
    object: 'audit_log_schema',
    version: record.schemas.length + 1,
    ...(input.actor ? { actor: input.actor } : {}),
    targets: input.targets,
    ...(input.metadata ? { metadata: input.metadata } : {}),
    created_at: now,
  };
  record.schemas.push(schema);
  record.updated_at = now;
  world.auditLogActions.set(action, record);
  return structuredClone(schema);
}

export function listAuditLogSchemas(ctx: EmulatorContext, action: string, params: ListParams) {
  const record = ctx.world.auditLogActions.get(action);
  if (!record) throw notFound('AuditLogAction', action);
  // Versions are the ids here: newest (highest) first by default, like every list.
  const items = record.schemas.map((s) => ({ ...s, id: String(s.version).padStart(8, '0') }));
  const page = paginate(items, params, ({ id: _id, ...schema }) => structuredClone(schema));
  return { ...page, list_metadata: { before: null, after: null } };
}

export function listAuditLogActions(ctx: EmulatorContext, params: ListParams) {
  const items = [...ctx.world.auditLogActions.values()].map((a) => ({ ...a, id: a.name }));
  return paginate(items, params, (a) => ({
    object: 'audit_log_action' as const,
    name: a.name,
    schema: structuredClone(a.schemas[a.schemas.length - 1]!),
    created_at: a.created_at,
    updated_at: a.updated_at,
  }));
}

/** Stores an event; a registered action's schema decides which target types it may name. */
export function createAuditLogEvent(ctx: EmulatorContext, body: unknown): { success: true } {
  const input = parseInput(AuditLogEventInput, body);
  requireOrganization(ctx, input.organization_id);
  const schema = ctx.world.auditLogActions.get(input.event.action)?.schemas.at(-1);
  if (schema) {
    const allowed = new Set(schema.targets.map((t) => t.type));
    const stray = input.event.targets.find((t) => !allowed.has(t.type));
    if (stray)
      throw unprocessable([
        {
          field: 'event.targets',
          code: 'invalid_target_type',
          message: `target type ${stray.type} is not in the ${input.event.action} schema`,
        },
      ]);
  }
  const id = ctx.world.newId('audit_log_event');
  ctx.world.auditLogEvents.set(id, { id, organization_id: input.organization_id, event: structuredClone(input.event) });
  return { success: true };
}

const csvCell = (value: unknown) => `"${String(value ?? '').replace(/"/g, '""')}"`;

/** The CSV an export's URL serves: one line per matching event, oldest first. */
export function auditLogExportCsv(ctx: EmulatorContext, id: string): string | null {
  const record = ctx.world.auditLogExports.get(id);
  const filter = ctx.world.auditLogExportFilters.get(record?.id ?? '') as z.infer<typeof ExportInput> | undefined;
  if (!record || !filter) return null;
  const rows = [...ctx.world.auditLogEvents.values()].filter((e) => {
    const actor = e.event.actor as { id: string; name?: string };
    const targets = e.event.targets as Array<{ id: string; type: string }>;
    return (
      e.organization_id === filter.organization_id &&
      e.event.occurred_at >= filter.range_start &&
      e.event.occurred_at <= filter.range_end &&
      (!filter.actions || filter.actions.includes(e.event.action)) &&
      ((!filter.actor_ids && !filter.actors) ||
        [...(filter.actor_ids ?? []), ...(filter.actors ?? [])].includes(actor.id)) &&
      (!filter.actor_names || filter.actor_names.includes(actor.name ?? '')) &&
      (!filter.targets || targets.some((t) => filter.targets!.includes(t.type)))
    );
  });
  const lines = rows.map((e) =>
    [e.event.occurred_at, e.event.action, (e.event.actor as { id: string }).id, JSON.stringify(e.event)]
      .map(csvCell)
      .join(','),
  );
  return `${['"occurred_at","action","actor_id","event"', ...lines].join('\n')}\n`;
}

export function createAuditLogExport(ctx: EmulatorContext, body: unknown): AuditLogExportWire {
  const input = parseInput(ExportInput, body);
  requireOrganization(ctx, input.organization_id);
  if (input.range_start > input.range_end) {
    throw new EmulatorError(400, { code: 'invalid_date_range', message: 'range_start must not be after range_end.' });
  }
  const { world } = ctx;
  const now = world.nowIso();
  const id = world.newId('audit_log_export');
  // Offline exports finish at once: the CSV is built when its URL is fetched.
  const wire: AuditLogExportWire = {
    object: 'audit_log_export',
    id,
    state: 'ready',
    url: `${ctx.config.baseUrl}/_hosted/audit-log-exports/${id}.csv`,
    created_at: now,
    updated_at: now,
  };
  world.auditLogExports.set(id, wire);
  world.auditLogExportFilters.set(id, input);
  return { ...wire };
}

export function getAuditLogExport(ctx: EmulatorContext, id: string): AuditLogExportWire {
  const wire = ctx.world.auditLogExports.get(id);
  if (!wire) throw notFound('AuditLogExport', id);
  return { ...wire };
}

export function getRetention(ctx: EmulatorContext, organizationId: string) {
  requireOrganization(ctx, organizationId);
  return { retention_period_in_days: ctx.world.auditLogRetention.get(organizationId) ?? DEFAULT_RETENTION_DAYS };
}

export function setRetention(ctx: EmulatorContext, organizationId: string, body: unknown) {
  const input = parseInput(z.object({ retention_period_in_days: z.number().int().min(1).max(3650) }), body);
  requireOrganization(ctx, organizationId);
  ctx.world.auditLogRetention.set(organizationId, input.retention_period_in_days);
  return { retention_period_in_days: input.retention_period_in_days };
}

export function getAuditLogConfiguration(ctx: EmulatorContext, organizationId: string) {
  const { retention_period_in_days } = getRetention(ctx, organizationId);
  return { organization_id: organizationId, retention_period_in_days, state: 'active' as const };
}
