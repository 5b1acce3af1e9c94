// `npm run bench`: throughput figures as ratios against a baseline measured in the same run.
// Never assert on these in tests; a shared 2-core machine makes absolute numbers noisy.
import { accessBench } from './access.bench.ts';
import { auditBench } from './audit.bench.ts';
import { clientBench } from './client.bench.ts';
import { benchPostgresUrl } from './support.ts';
import { webhooksBench } from './webhooks.bench.ts';

const pg = await benchPostgresUrl();
try {
  console.log(`Gatehouse bench — node ${process.version}, ${new Date().toISOString()}`);
  for (const line of await auditBench(pg?.url)) console.log(line);
  for (const line of await accessBench(pg?.url)) console.log(line);
  for (const line of await webhooksBench(pg?.url)) console.log(line);
  for (const line of await clientBench()) console.log(line);
} finally {
  pg?.stop();
}
