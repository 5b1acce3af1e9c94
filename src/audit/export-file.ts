// The export format: JSON Lines, one ChainedAuditEvent per line, in seq order. It carries every
// hashed field, so `gatehouse audit verify --file` can check it with no database.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { ChainedAuditEvent } from './chain.ts';

const exportedEvent = z.strictObject({
  organizationId: z.string().min(1),
  seq: z.number().int().positive(),
  id: z.string().min(1),
  type: z.string().min(1),
  actor: z.strictObject({
    type: z.enum(['user', 'api_key', 'm2m_app', 'system', 'provider_event', 'directory']),
    id: z.string().nullable(),
  }),
  target: z.strictObject({ type: z.string(), id: z.string() }).nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export function formatExportLine(event: ChainedAuditEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** Reads an export file line by line; a line that is not an exported event stops with its line number. */
export async function* readExportFile(path: string): AsyncGenerator<ChainedAuditEvent> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new AppError('AUDIT_EXPORT_INVALID', `line ${n} is not valid JSON`);
    }
    const result = exportedEvent.safeParse(parsed);
    if (!result.success) throw new AppError('AUDIT_EXPORT_INVALID', `line ${n} is not an exported audit event: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}`);
    yield result.data as ChainedAuditEvent;
  }
}
