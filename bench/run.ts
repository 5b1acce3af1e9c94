// `npm run bench`: throughput figures as ratios against a baseline measured in the same run.
// Never assert on these in tests; a shared 2-core machine makes absolute numbers noisy.
import { accessBench } from './access.bench.ts';
import { auditBench } from './audit.bench.ts';
import { clientBench } from './client.bench.ts';
import { scimBench } from './scim.bench.ts';
import { notesBench } from './notes.bench.ts';
import { devStartBench } from './dev-start.bench.ts';
import { benchPostgresUrl } from './support.ts';
import { webhooksBench } from './webhooks.bench.ts';
import { emulatorScimRate } from './emulator-scim.bench.ts';

// `npm run bench -- audit` runs only the named groups.
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);
// Only the groups that measure PostgreSQL start one.
const pg = ['audit', 'access', 'webhooks', 'scim'].some(wanted) ? await benchPostgresUrl() : undefined;
try {
  console.log(`Gatehouse bench — node ${process.version}, ${new Date().toISOString()}`);
  if (wanted('audit')) for (const line of await auditBench(pg?.url)) console.log(line);
  if (wanted('access')) for (const line of await accessBench(pg?.url)) console.log(line);
  if (wanted('webhooks')) for (const line of await webhooksBench(pg?.url)) console.log(line);
  // The emulator's SCIM endpoint alone (also part of `webhooks`), without PostgreSQL.
  if (only.has('emulator-scim'))
    for (const line of await emulatorScimRate(Number(process.env.BENCH_SCIM_USERS ?? 10_000))) console.log(line);
  if (wanted('client')) for (const line of await clientBench()) console.log(line);
  if (wanted('scim')) for (const line of await scimBench(pg?.url)) console.log(line);
  if (wanted('notes')) for (const line of await notesBench()) console.log(line);
  if (wanted('dev-start')) for (const line of await devStartBench()) console.log(line);
} finally {
  pg?.stop();
}
