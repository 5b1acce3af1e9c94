// `gatehouse dev` (what `npm start` runs): everything local. Embedded PGlite under the data
// folder, a generated GATEHOUSE_SECRET kept there (mode 0600) so sessions survive restarts,
// migrations applied, the offline WorkOS emulator started with its demo seed (unless
// WORKOS_API_KEY points at a real WorkOS, or AUTH_PROVIDER is local or oidc: then a demo
// organization in the store, and for oidc a local identity provider), and the URL and demo
// sign-ins printed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openGatehouse } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { listen, onShutdownSignal } from '../../http/serve.ts';
import {
  demoSignIns,
  leaveOrganizationChoiceToGatehouse,
  registerWebhookEndpoint,
  startEmulatorProcess,
  type EmulatorProcess,
} from './dev-emulator.ts';
import { DEV_MAILBOX_PATH } from '../../web/chrome.ts';
import { devMailboxRoutes } from '../../web/dev-mailbox.ts';
import { clearDevState, writeDevState } from '../dev-state.ts';
import type { DevIdp } from '../dev-oidc-idp.ts';
import { DEMO_ORGANIZATION, DEMO_PEOPLE, seedLocalDemo, startOidcDemo } from './dev-local.ts';

/** The seed organization whose admins are super-admins in dev, by its stable external id. */
const DEV_SUPERADMIN_HANDLE = 'globex';

/**
 * An organization's id by its external id, asked of the emulator's WorkOS API (ids change per
 * run, handles do not). A connection of its own, closed after: opening the embedded database
 * next blocks the event loop for seconds, and a pooled keep-alive socket the emulator closes
 * meanwhile would fail the next request made on it.
 */
function organizationIdByExternalId(emulator: EmulatorProcess, externalId: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      `${emulator.url}/organizations/external_id/${encodeURIComponent(externalId)}`,
      {
        agent: false,
        headers: { authorization: `Bearer ${emulator.apiKey}`, connection: 'close' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? (JSON.parse(body) as { id?: string }).id : undefined);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
  });
}

/**
 * Stops dev when whoever started it is gone. `npm start` runs dev under `sh -c`, and a process
 * manager's SIGTERM to npm ends npm and the shell without reaching dev, which would otherwise
 * keep the server and the emulator running, re-parented. Polling the parent id catches that on
 * any shell; the stop then goes through the same path as a signal.
 */
function stopWhenOrphaned(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, 250);
  timer.unref();
}

function devSecret(dataDir: string): string {
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
  const base =
    requested.PORT === 0 && /:0$/.test(requested.PUBLIC_URL)
      ? loadConfig({ PORT: String(await freePort(requested.HOST)) })
      : requested;
  // WorkOS mode with no key given: run against the emulator (a child process, see dev-emulator.ts).
  // AUTH_PROVIDER=local or oidc needs no emulator: the demo lives in the store (dev-local.ts).
  const emulator: EmulatorProcess | null =
    base.AUTH_PROVIDER !== 'workos' || base.WORKOS_API_KEY ? null : await startEmulatorProcess();
  // The emulator is new on every start, so a fresh webhook secret each run is enough.
  const webhookSecret = emulator ? randomBytes(24).toString('base64url') : undefined;
  // One seed organization's admins are super-admins, so /admin/tenants works in dev.
  const superAdminOrg =
    emulator && !base.GATEHOUSE_SUPERADMIN_ORG
      ? await organizationIdByExternalId(emulator, DEV_SUPERADMIN_HANDLE).catch((error: unknown) => {
          // Dev still starts, without a super-admin organization; say why instead of hiding it.
          console.error(`gatehouse dev: no super-admin organization (${(error as Error).message})`);
          return undefined;
        })
      : undefined;
  const config = loadConfig(
    {
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
    },
    {
      LOG_LEVEL: 'warn',
      ...(superAdminOrg ? { GATEHOUSE_SUPERADMIN_ORG: superAdminOrg } : {}),
      // With OIDC, addresses no connection serves get an email code (in the dev mailbox).
      ...(base.AUTH_PROVIDER === 'oidc' ? { LOCAL_EMAIL_CODE: 'on' } : {}),
    },
  );
  let gatehouse: Awaited<ReturnType<typeof openGatehouse>>;
  let server: Awaited<ReturnType<typeof listen>>;
  let idp: DevIdp | null = null;
  try {
    const devRoutes = devMailboxRoutes({
      outboxDir: join(config.GATEHOUSE_DATA_DIR, 'outbox'),
      emulator: emulator ? { url: emulator.url, apiKey: emulator.apiKey } : undefined,
    });
    gatehouse = await openGatehouse(config, { devRoutes });
    server = await listen(gatehouse.app, { port: config.PORT, host: config.HOST });
    if (emulator && webhookSecret) {
      // Point the emulator's webhooks at us, as one configures a WorkOS endpoint, then pull in
      // what the seed created before the endpoint existed (the same full reconciliation an
      // operator runs); from here on the mirror follows webhooks and the schedule repairs gaps.
      await registerWebhookEndpoint(emulator, `${config.PUBLIC_URL}/webhooks/workos`, webhookSecret);
      await leaveOrganizationChoiceToGatehouse(emulator);
      await gatehouse.directorySync.reconcile({ full: true });
    }
    if (config.AUTH_PROVIDER !== 'workos') {
      const demo = await seedLocalDemo(gatehouse.store.db);
      if (config.AUTH_PROVIDER === 'oidc') idp = await startOidcDemo(gatehouse, demo, config.GATEHOUSE_SECRET!);
    }
    gatehouse.webhooks.start();
    gatehouse.directorySync.startSchedule();
    if (emulator && webhookSecret) {
      writeDevState(config.GATEHOUSE_DATA_DIR, {
        publicUrl: config.PUBLIC_URL,
        emulatorUrl: emulator.url,
        webhookSecret,
        pid: process.pid,
        workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, apiHostname: '127.0.0.1', port: emulator.port },
      });
    }
  } catch (error) {
    await emulator?.stop();
    await idp?.close();
    throw error;
  }
  const where = config.DATABASE_URL
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${join(config.GATEHOUSE_DATA_DIR, 'pglite')}`;
  console.log(`Gatehouse dev server listening on ${server.url}`);
  console.log(`  public URL: ${config.PUBLIC_URL}`);
  console.log(`  database:   ${where}`);
  if (config.APP_PERMISSIONS.length > 0) {
    const slugs = config.APP_PERMISSIONS.map((p) => p.slug).join(', ');
    console.log(`  app perms:  ${slugs} (from ${config.GATEHOUSE_APP_PERMISSIONS_FILE})`);
  }
  console.log(`  health:     ${server.url}/healthz   readiness: ${server.url}/readyz`);
  if (emulator) {
    console.log(
      `  WorkOS:     emulator at ${emulator.url} (demo seed), webhooks to ${config.PUBLIC_URL}/webhooks/workos`,
    );
    console.log(
      `  mail:       ${config.PUBLIC_URL}${DEV_MAILBOX_PATH} (invitations, sign-in codes; nothing leaves this machine)`,
    );
    console.log(`Open ${config.PUBLIC_URL}/ and sign in as:`);
    for (const u of demoSignIns()) console.log(`  ${u.email.padEnd(20)} ${u.how}`);
    if (superAdminOrg) console.log(`  Globex's admins are super-admins here: ${config.PUBLIC_URL}/admin/tenants`);
  } else if (config.AUTH_PROVIDER !== 'workos') {
    console.log(
      config.AUTH_PROVIDER === 'oidc'
        ? `  sign-in:    OIDC; ${DEMO_ORGANIZATION.name}'s identity provider (oidc-provider) at ${idp?.issuer} serves ${DEMO_ORGANIZATION.domain}, other addresses get an email code`
        : '  sign-in:    email code (AUTH_PROVIDER=local)',
    );
    console.log(`  mail:       ${config.PUBLIC_URL}${DEV_MAILBOX_PATH} (sign-in codes; nothing leaves this machine)`);
    console.log(`Open ${config.PUBLIC_URL}/ and sign in as:`);
    const how = config.AUTH_PROVIDER === 'oidc' ? 'at the identity provider, any password' : 'email code';
    for (const p of DEMO_PEOPLE) console.log(`  ${p.email.padEnd(20)} ${p.role} of ${DEMO_ORGANIZATION.name} (${how})`);
  } else {
    console.log(`  WorkOS:     ${config.WORKOS_API_HOSTNAME ?? 'api.workos.com'} (WORKOS_API_KEY)`);
  }
  console.log('Stop with Ctrl+C.');
  onShutdownSignal(async () => {
    clearDevState(config.GATEHOUSE_DATA_DIR);
    // The emulator first: it is the other process, and must not outlive dev even if closing hangs.
    await Promise.all([emulator?.stop(), idp?.close(), server.close(config.SHUTDOWN_TIMEOUT_MS)]);
    await gatehouse.close();
  });
  stopWhenOrphaned();
  return new Promise<number>(() => {});
}
