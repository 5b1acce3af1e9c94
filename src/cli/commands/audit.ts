// `gatehouse audit verify [--org ID] [--checkpoint C]`, `gatehouse audit verify --file F
// [--checkpoint C] [--jwks J]` and `gatehouse audit export --org ID [--out F]`.
// verify --file needs no database: the export carries every leaf and ends in a signed checkpoint.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfigBesideDev } from '../dev-state.ts';
import { AppError } from '../../core/errors.ts';
import { readAuditLog } from '../../audit/audit-log.ts';
import { auditKeyRingFor, trustedKeysFromJwks, type Checkpoint, type TrustedKeys } from '../../audit/checkpoint.ts';
import { issueCheckpoint } from '../../audit/checkpoints.ts';
import {
  formatCheckpointLine,
  formatEventLine,
  readCheckpointFile,
  readExportFile,
  verifyExport,
} from '../../audit/export-file.ts';
import { describeLogVerdict } from '../../audit/verify-log.ts';
import { organizationExists, organizationsWithAudit, systemReader, verifyStoredLog } from '../../audit/verify.ts';
import { openStore, storeLocationFor } from '../../store/store.ts';

const USAGE =
  'usage: gatehouse audit verify [--org ID] [--checkpoint C] | gatehouse audit verify --file F [--checkpoint C] [--jwks J] | gatehouse audit export --org ID [--out F]';

export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') return verify(rest);
  if (sub === 'export') return exportLog(rest);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(USAGE);
    return 0;
  }
  console.error(USAGE);
  return 1;
}

async function trustedKeys(jwksPath: string | undefined): Promise<TrustedKeys> {
  if (!jwksPath) return auditKeyRingFor(loadConfigBesideDev()).trusted;
  let text: string;
  try {
    text = await readFile(jwksPath, 'utf8');
  } catch {
    throw new AppError('AUDIT_FILE_UNREADABLE', `cannot read ${jwksPath}: no such file`);
  }
  try {
    return trustedKeysFromJwks(JSON.parse(text));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('AUDIT_KEYS_INVALID', `${jwksPath} is not JSON`);
  }
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      file: { type: 'string' },
      checkpoint: { type: 'string' },
      jwks: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = values.file ? await readExportFile(values.file) : undefined;
  const kept: Checkpoint[] = values.checkpoint ? [await readCheckpointFile(values.checkpoint)] : [];
  const trusted = await trustedKeys(values.jwks);
  if (file && trusted.size === 0)
    throw new AppError(
      'AUDIT_KEYS_INVALID',
      'no trusted audit keys: pass --jwks FILE (the server publishes them) or set AUDIT_SIGNING_KEY or GATEHOUSE_SECRET',
    );
  if (file) {
    const verdict = await verifyExport(file, trusted, kept);
    console.log(`${verdict.organizationId}: ${describeLogVerdict(verdict)}`);
    return verdict.valid ? 0 : 1;
  }
  const store = await openStore(storeLocationFor(loadConfigBesideDev()));
  try {
    if (values.org && !(await organizationExists(store.db, values.org)))
      throw new AppError('AUDIT_ORGANIZATION_UNKNOWN', `no organization ${values.org}`);
    if (kept[0] && values.org && kept[0].organizationId !== values.org)
      throw new AppError('AUDIT_EXPORT_INVALID', `the checkpoint is of ${kept[0].organizationId}, not ${values.org}`);
    const orgs = values.org
      ? [values.org]
      : kept[0]
        ? [kept[0].organizationId]
        : await organizationsWithAudit(store.db);
    if (orgs.length === 0) console.log('ok 0 events: no organization has audit events yet');
    let failed = false;
    for (const org of orgs) {
      const verdict = await verifyStoredLog(
        systemReader(store.db),
        org,
        trusted,
        kept.filter((c) => c.organizationId === org),
      );
      failed ||= !verdict.valid;
      console.log(`${org}: ${describeLogVerdict(verdict)}`);
    }
    return failed ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function exportLog(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { org: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.org) {
    console.error('gatehouse audit export: --org ID is required');
    return 1;
  }
  const config = loadConfigBesideDev();
  const signer = auditKeyRingFor(config).signer;
  if (!signer)
    throw new AppError(
      'AUDIT_SIGNING_KEY_MISSING',
      'an export ends with a signed checkpoint: set AUDIT_SIGNING_KEY or GATEHOUSE_SECRET',
    );
  const store = await openStore(storeLocationFor(config));
  let count = 0;
  try {
    if (!(await organizationExists(store.db, values.org)))
      throw new AppError('AUDIT_ORGANIZATION_UNKNOWN', `no organization ${values.org}`);
    const closing = await issueCheckpoint(store.db, signer, values.org);
    const out = values.out ? createWriteStream(values.out) : process.stdout;
    try {
      for await (const e of readAuditLog(systemReader(store.db), values.org, { upTo: closing.size })) {
        if (!out.write(formatEventLine(values.org, e.seq, e.entry))) await once(out, 'drain');
        count += 1;
      }
      out.write(formatCheckpointLine(closing));
    } finally {
      if (values.out) await new Promise<void>((resolve) => out.end(() => resolve()));
    }
  } finally {
    await store.close();
  }
  if (values.out) console.error(`exported ${count} events of ${values.org} and a signed checkpoint to ${values.out}`);
  return 0;
}
