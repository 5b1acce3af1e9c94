// `gatehouse dev` (what `npm start` runs): everything local. Embedded PGlite under the data
// folder, a generated GATEHOUSE_SECRET kept there (mode 0600) so sessions survive restarts,
// migrations applied, and the URL printed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openGatehouse } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { listen, onShutdownSignal } from '../../http/serve.ts';

export function devSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function devCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const base = loadConfig();
  const config = loadConfig({
    GATEHOUSE_SECRET: base.GATEHOUSE_SECRET ?? devSecret(base.GATEHOUSE_DATA_DIR),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const gatehouse = await openGatehouse(config);
  const server = await listen(gatehouse.app, { port: config.PORT, host: config.HOST });
  const where = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${join(config.GATEHOUSE_DATA_DIR, 'pglite')}`;
  console.log(`Gatehouse dev server listening on ${server.url}`);
  console.log(`  public URL: ${config.PUBLIC_URL}`);
  console.log(`  database:   ${where}`);
  console.log(`  health:     ${server.url}/healthz   readiness: ${server.url}/readyz`);
  console.log('Stop with Ctrl+C.');
  onShutdownSignal(async () => {
    await server.close(config.SHUTDOWN_TIMEOUT_MS);
    await gatehouse.close();
  });
  return new Promise<number>(() => {});
}
