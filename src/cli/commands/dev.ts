// `gatehouse dev` (what `npm start` runs): everything local. Embedded PGlite under the data
// folder, a generated GATEHOUSE_SECRET kept there (mode 0600) so sessions survive restarts,
// migrations applied, the offline WorkOS emulator started with its demo seed (unless
// WORKOS_API_KEY points at a real WorkOS), and the URL and demo sign-ins printed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openGatehouse } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { listen, onShutdownSignal } from '../../http/serve.ts';
import { demoSignIns, leaveOrganizationChoiceToGatehouse, registerWebhookEndpoint, startEmulatorProcess, type EmulatorProcess } from './dev-emulator.ts';

export function devSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function devCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const requested = loadConfig();
  // PORT=0 picks a free port now, so PUBLIC_URL and the WorkOS redirect URI name the real one.
  const base = requested.PORT === 0 && /:0$/.test(requested.PUBLIC_URL) ? loadConfig({ PORT: String(await freePort(requested.HOST)) }) : requested;
  // No WorkOS key given: run against the emulator (a child process, see dev-emulator.ts).
  const emulator: EmulatorProcess | null = base.WORKOS_API_KEY ? null : await startEmulatorProcess();
  // The emulator is new on every start, so a fresh webhook secret each run is enough.
  const webhookSecret = emulator ? randomBytes(24).toString('base64url') : undefined;
  const config = loadConfig({
    PORT: String(base.PORT),
    GATEHOUSE_SECRET: base.GATEHOUSE_SECRET ?? devSecret(base.GATEHOUSE_DATA_DIR),
    ...(emulator
      ? {
          AUTH_PROVIDER: 'workos',
          WORKOS_API_KEY: emulator.apiKey,
          WORKOS_CLIENT_ID: emulator.clientId,
          WORKOS_API_HOSTNAME: '127.0.0.1',
          WORKOS_API_PORT: String(emulator.port),
          WORKOS_API_HTTPS: 'false',
          WORKOS_WEBHOOK_SECRET: webhookSecret,
        }
      : {}),
  }, { LOG_LEVEL: 'warn' });
  let gatehouse: Awaited<ReturnType<typeof openGatehouse>>;
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    gatehouse = await openGatehouse(config);
    server = await listen(gatehouse.app, { port: config.PORT, host: config.HOST });
    if (emulator && webhookSecret) {
      // Point the emulator's webhooks at us, as one configures a WorkOS endpoint, then pull in
      // what the seed created before the endpoint existed (the same full reconciliation an
      // operator runs); from here on the mirror follows webhooks and the schedule repairs gaps.
      await registerWebhookEndpoint(emulator, `${config.PUBLIC_URL}/webhooks/workos`, webhookSecret);
      await leaveOrganizationChoiceToGatehouse(emulator);
      await gatehouse.directorySync.reconcile({ full: true });
    }
    gatehouse.webhooks.start();
    gatehouse.directorySync.startSchedule();
  } catch (error) {
    await emulator?.stop();
    throw error;
  }
  const where = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${join(config.GATEHOUSE_DATA_DIR, 'pglite')}`;
  console.log(`Gatehouse dev server listening on ${server.url}`);
  console.log(`  public URL: ${config.PUBLIC_URL}`);
  console.log(`  database:   ${where}`);
  console.log(`  health:     ${server.url}/healthz   readiness: ${server.url}/readyz`);
  if (emulator) {
    console.log(`  WorkOS:     emulator at ${emulator.url} (demo seed), webhooks to ${config.PUBLIC_URL}/webhooks/workos`);
    console.log(`Sign in at ${config.PUBLIC_URL}/auth/login as:`);
    for (const u of demoSignIns()) console.log(`  ${u.email.padEnd(20)} ${u.how}`);
  } else {
    console.log(`  WorkOS:     ${config.WORKOS_API_HOSTNAME ?? 'api.workos.com'} (WORKOS_API_KEY)`);
  }
  console.log('Stop with Ctrl+C.');
  onShutdownSignal(async () => {
    await server.close(config.SHUTDOWN_TIMEOUT_MS);
    await gatehouse.close();
    await emulator?.stop();
  });
  return new Promise<number>(() => {});
}
