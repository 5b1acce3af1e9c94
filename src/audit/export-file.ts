// The export format: JSON Lines. Every line carries the organization id. One line per event, in
// seq order, holding the exact leaf text (`entry`); the last line is a signed checkpoint of the
// whole file. `gatehouse audit verify --file` (and anyone following README "Verifying an export")
// checks it with no database.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { checkpointSchema, type Checkpoint, type TrustedKeys } from './checkpoint.ts';
import { verifyLog, type LogVerdict, type VerifiableEntry } from './verify-log.ts';

const exportedEvent = z.strictObject({
  kind: z.literal('event'),
  organizationId: z.string().min(1),
  seq: z.number().int().positive(),
  entry: z.string().min(2),
});

function invalid(what: string, error: z.ZodError): AppError {
  const issue = error.issues[0];
  return new AppError('AUDIT_EXPORT_INVALID', `${what}: ${issue?.path.join('.')} ${issue?.message}`);
}

export function formatEventLine(organizationId: string, seq: number, entry: string): string {
  return `${JSON.stringify({ kind: 'event', organizationId, seq, entry })}\n`;
}

export function formatCheckpointLine(c: Checkpoint): string {
  return `${JSON.stringify({ kind: 'checkpoint', ...c })}\n`;
}

export interface ParsedExport {
  organizationId: string;
  events: VerifiableEntry[];
  checkpoint: Checkpoint;
}

/** Reads a whole export; a line that does not parse stops with its line number. */
export async function readExportFile(path: string): Promise<ParsedExport> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch {
    throw new AppError('AUDIT_FILE_UNREADABLE', `cannot read ${path}: no such file`);
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const events: VerifiableEntry[] = [];
  let checkpoint: Checkpoint | undefined;
  let organizationId: string | undefined;
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    if (checkpoint) throw new AppError('AUDIT_EXPORT_INVALID', `line ${n} follows the closing checkpoint`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new AppError('AUDIT_EXPORT_INVALID', `line ${n} is not valid JSON`);
    }
    const kind = (parsed as { kind?: unknown } | null)?.kind;
    const what = kind === 'checkpoint' ? 'checkpoint' : 'event';
    const result = kind === 'checkpoint' ? checkpointSchema.safeParse(parsed) : exportedEvent.safeParse(parsed);
    if (!result.success) throw invalid(`line ${n} is not an exported audit ${what}`, result.error);
    organizationId ??= result.data.organizationId;
    if (result.data.organizationId !== organizationId) {
      throw new AppError(
        'AUDIT_EXPORT_INVALID',
        `line ${n} belongs to ${result.data.organizationId}, the file to ${organizationId}`,
      );
    }
    if ('entry' in result.data) events.push({ seq: result.data.seq, entry: result.data.entry });
    else {
      const { kind: _kind, ...c } = result.data;
      checkpoint = c;
    }
  }
  if (n === 0 || organizationId === undefined) {
    throw new AppError('AUDIT_EXPORT_INVALID', 'the export is empty: it has no signed checkpoint');
  }
  if (!checkpoint) {
    throw new AppError('AUDIT_EXPORT_INVALID', 'the export does not end with a signed checkpoint (truncated?)');
  }
  return { organizationId, events, checkpoint };
}

/**
 * Verifies an export offline: the closing checkpoint must be signed by a trusted key and cover
 * exactly the file's events; a checkpoint the tenant kept from earlier must be a prefix of it.
 */
export function verifyExport(
  file: ParsedExport,
  trusted: TrustedKeys,
  kept: readonly Checkpoint[] = [],
): Promise<LogVerdict> {
  const closing = file.checkpoint;
  return verifyLog(file.events, {
    organizationId: file.organizationId,
    trusted,
    checkpoints: [closing, ...kept],
    head: {
      size: closing.size,
      root: Buffer.from(closing.rootHash, 'hex'),
      label: 'the closing checkpoint',
      mismatch: 'checkpoint mismatch',
    },
  });
}

export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new AppError('AUDIT_FILE_UNREADABLE', `cannot read ${path}: no such file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('AUDIT_EXPORT_INVALID', `${path} is not a JSON checkpoint`);
  }
  const result = checkpointSchema.safeParse(parsed);
  if (!result.success) throw invalid(`${path} is not a signed checkpoint`, result.error);
  const { kind: _kind, ...c } = result.data;
  return c;
}
