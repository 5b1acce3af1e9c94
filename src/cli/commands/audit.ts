// `gatehouse audit verify [--org ID] [--file F]` and `gatehouse audit export --org ID [--out F]`.
// verify --file needs no database: the export carries every hashed field.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { storeLocationFor } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { verifyChain } from '../../audit/chain.ts';
import { formatExportLine, readExportFile } from '../../audit/export-file.ts';
import { describeVerdict, organizationsWithAudit, readChainAsSystem, verifyStoredChain } from '../../audit/verify.ts';
import { openStore } from '../../store/store.ts';

export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') return verify(rest);
  if (sub === 'export') return exportChain(rest);
  console.error('usage: gatehouse audit verify [--org ID] [--file F] | gatehouse audit export --org ID [--out F]');
  return 1;
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, file: { type: 'string' } }, strict: true });
  if (values.file) {
    const verdict = await verifyChain(readExportFile(values.file));
    console.log(describeVerdict(verdict));
    return verdict.valid ? 0 : 1;
  }
  const store = await openStore(storeLocationFor(loadConfig()));
  try {
    const orgs = values.org ? [values.org] : await organizationsWithAudit(store.db);
    if (orgs.length === 0) console.log('ok 0 events: no organization has audit events yet');
    let failed = false;
    for (const org of orgs) {
      const verdict = await verifyStoredChain(store.db, org);
      failed ||= !verdict.valid;
      console.log(`${org}: ${describeVerdict(verdict)}`);
    }
    return failed ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function exportChain(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, out: { type: 'string' } }, strict: true });
  if (!values.org) {
    console.error('gatehouse audit export: --org ID is required');
    return 1;
  }
  const store = await openStore(storeLocationFor(loadConfig()));
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  let count = 0;
  try {
    for await (const event of readChainAsSystem(store.db, values.org)) {
      if (!out.write(formatExportLine(event))) await once(out, 'drain');
      count += 1;
    }
  } finally {
    if (values.out) await new Promise<void>((resolve) => out.end(() => resolve()));
    await store.close();
  }
  if (values.out) console.error(`exported ${count} events of ${values.org} to ${values.out}`);
  return 0;
}
