// `gatehouse dev` (what `npm start` runs): everything local. Embedded PGlite under the data
// folder, a generated GATEHOUSE_SECRET kept there (mode 0600) so sessions survive restarts,
// migrations applied, the offline WorkOS emulator started with its demo seed and its world kept in
// the data folder (unless WORKOS_API_KEY points at a real WorkOS, or AUTH_PROVIDER is local or oidc:
// then a demo organization in the store, and for oidc a local identity provider), and the URL and
// demo sign-ins printed.
//
// Start-up is the development loop, so it overlaps what it can: the emulator is spawned first (its
// own process, on the other core) and the database and the server's modules load meanwhile; a
// fresh folder's database is copied from a template (dev-store.ts); a warm folder whose emulator
// world was restored pulls only the events since the last run instead of walking every list.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Gatehouse } from '../../app.ts';
import { loadConfig, type Config } from '../../config.ts';
import type { BoundPort } from '../../http/serve.ts';
import type { Store } from '../../store/store.ts';
import { demoSignIns, startEmulatorProcess, type EmulatorProcess } from './dev-emulator.ts';
import { clearDevState, writeDevState } from '../dev-state.ts';
import type { DevIdp } from '../dev-oidc-idp.ts';

/** The seed organization whose admins are super-admins in dev, by its stable external id. */
export const DEV_SUPERADMIN_HANDLE = 'globex';

const WEBHOOK_PATH = '/webhooks/workos';

/**
 * An organization's id by its external id, asked of the emulator's WorkOS API. A connection of its
 * own, closed after: opening the embedded database blocks the event loop for seconds, and a pooled
 * keep-alive socket the emulator closes meanwhile would fail the next request made on it.
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

export function devSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The configuration dev runs with: the generated secret, and the emulator in place of WorkOS. */
async function devConfig(base: Config, emulator: EmulatorProcess | null, webhookSecret: string): Promise<Config> {
  // One seed organization's admins are super-admins, so /admin/tenants works in dev.
  const superAdminOrg =
    emulator && !base.GATEHOUSE_SUPERADMIN_ORG
      ? await organizationIdByExternalId(emulator, DEV_SUPERADMIN_HANDLE).catch((error: unknown) => {
          // Dev still starts, without a super-admin organization; say why instead of hiding it.
          console.error(`gatehouse dev: no super-admin organization (${(error as Error).message})`);
          return undefined;
        })
      : undefined;
  return loadConfig(
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
}

interface Started {
  gatehouse: Gatehouse;
  server: { url: string; close(timeoutMs?: number): Promise<void> };
  config: Config;
  emulator: EmulatorProcess | null;
  /** AUTH_PROVIDER=oidc: the demo organization's identity provider. */
  idp: DevIdp | null;
}

async function start(base: Config, bound: BoundPort): Promise<Started> {
  // WorkOS mode with no key given: run against the emulator (a child process, see dev-emulator.ts).
  // Spawned before anything else so that its start overlaps the database and the modules loading
  // here. AUTH_PROVIDER=local or oidc needs no emulator: the demo lives in the store (dev-local.ts).
  const emulatorStarting =
    base.AUTH_PROVIDER !== 'workos' || base.WORKOS_API_KEY
      ? Promise.resolve(null)
      : startEmulatorProcess({ stateDir: join(base.GATEHOUSE_DATA_DIR, 'emulator') });
  let store: Store | undefined;
  let emulator: EmulatorProcess | null = null;
  let gatehouse: Gatehouse | undefined;
  let idp: DevIdp | null = null;
  try {
    const { openDevStore } = await import('../dev-store.ts');
    const { openGatehouse } = await import('../../app.ts');
    const { storeLocationFor } = await import('../../store/store.ts');
    const opened = await openDevStore(storeLocationFor(base), {
      onWarning: (message) => console.error(`gatehouse dev: ${message}`),
    });
    store = opened.store;
    emulator = await emulatorStarting;
    // The emulator keeps its webhook endpoints in its world: a secret derived from the dev secret
    // stays the same across restarts, so deliveries it retries from the last run still verify.
    const webhookSecret = devWebhookSecret(base);
    const config = await devConfig(base, emulator, webhookSecret);
    const [{ devMailboxRoutes }, dev] = await Promise.all([
      import('../../web/dev-mailbox.ts'),
      import('./dev-emulator.ts'),
    ]);
    const devRoutes = devMailboxRoutes({
      outboxDir: join(config.GATEHOUSE_DATA_DIR, 'outbox'),
      emulator: emulator ? { url: emulator.url, apiKey: emulator.apiKey } : undefined,
    });
    gatehouse = await openGatehouse(config, { devRoutes, store });
    const server = bound.serve(gatehouse.app);
    if (emulator) {
      // Point the emulator's webhooks at us, as one configures a WorkOS endpoint, then pull in
      // what happened before the endpoint existed (the same reconciliation an operator runs).
      const { HANDLED_EVENT_TYPES } = await import('../../mirror/handlers.ts');
      await dev.registerWebhookEndpoint(emulator, {
        url: `${config.PUBLIC_URL}${WEBHOOK_PATH}`,
        secret: webhookSecret,
        events: HANDLED_EVENT_TYPES,
      });
      await dev.leaveOrganizationChoiceToGatehouse(emulator);
      // A restored world whose events this mirror already read since a full run: the events since
      // then are the whole difference. Anything else (a new world, a new database, a run stopped
      // before its first reconciliation ended) walks every list once.
      const full = !(emulator.restored && opened.prepared === 'existing' && (await hasReconciled(gatehouse)));
      await gatehouse.directorySync.reconcile({ full });
    }
    if (config.AUTH_PROVIDER !== 'workos') {
      const { seedLocalDemo, startOidcDemo } = await import('./dev-local.ts');
      const demo = await seedLocalDemo(gatehouse.store.db);
      if (config.AUTH_PROVIDER === 'oidc') idp = await startOidcDemo(gatehouse, demo, config.GATEHOUSE_SECRET!);
    }
    gatehouse.webhooks.start();
    gatehouse.directorySync.startSchedule();
    return { gatehouse, server, config, emulator, idp };
  } catch (error) {
    const started = emulator ?? (await emulatorStarting.catch(() => null));
    await started?.stop();
    await idp?.close();
    // The start already failed with `error`, which is what dev reports; a failure to close after it
    // is said too, never instead of it.
    const closing = gatehouse ? gatehouse.close() : store?.close();
    await closing?.catch((e: unknown) =>
      console.error(`gatehouse dev: closing after a failed start: ${(e as Error).message}`),
    );
    throw error;
  }
}

function devWebhookSecret(base: Config): string {
  const secret = base.GATEHOUSE_SECRET ?? devSecret(base.GATEHOUSE_DATA_DIR);
  return createHmac('sha256', secret).update('gatehouse dev webhook signing secret').digest('base64url');
}

/** Whether a reconciliation run has completed on this database (it records its report when it ends). */
async function hasReconciled(gatehouse: Gatehouse): Promise<boolean> {
  const { rows } = await gatehouse.store.owner.query(
    `SELECT 1 FROM sync_cursors WHERE name = 'events' AND last_report IS NOT NULL`,
  );
  return rows.length > 0;
}

async function printBanner(
  config: Config,
  url: string,
  emulator: EmulatorProcess | null,
  idp: DevIdp | null,
  mailboxPath: string,
): Promise<void> {
  const where = config.DATABASE_URL
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${join(config.GATEHOUSE_DATA_DIR, 'pglite')}`;
  console.log(`Gatehouse dev server listening on ${url}`);
  console.log(`  public URL: ${config.PUBLIC_URL}`);
  console.log(`  database:   ${where}`);
  if (config.APP_PERMISSIONS.length > 0) {
    const slugs = config.APP_PERMISSIONS.map((p) => p.slug).join(', ');
    console.log(`  app perms:  ${slugs} (from ${config.GATEHOUSE_APP_PERMISSIONS_FILE})`);
  }
  console.log(`  health:     ${url}/healthz   readiness: ${url}/readyz`);
  if (emulator) {
    console.log(
      `  WorkOS:     emulator at ${emulator.url} (demo seed${emulator.restored ? ', world kept from the last run' : ''}), webhooks to ${config.PUBLIC_URL}${WEBHOOK_PATH}`,
    );
    console.log(
      `  mail:       ${config.PUBLIC_URL}${mailboxPath} (invitations, sign-in codes; nothing leaves this machine)`,
    );
    console.log(`Open ${config.PUBLIC_URL}/ and sign in as:`);
    for (const u of demoSignIns()) console.log(`  ${u.email.padEnd(20)} ${u.how}`);
    if (config.GATEHOUSE_SUPERADMIN_ORG)
      console.log(`  Globex's admins are super-admins here: ${config.PUBLIC_URL}/admin/tenants`);
  } else if (config.AUTH_PROVIDER !== 'workos') {
    const { DEMO_ORGANIZATION, DEMO_PEOPLE } = await import('./dev-local.ts');
    console.log(
      config.AUTH_PROVIDER === 'oidc'
        ? `  sign-in:    OIDC; ${DEMO_ORGANIZATION.name}'s identity provider (oidc-provider) at ${idp?.issuer} serves ${DEMO_ORGANIZATION.domain}, other addresses get an email code`
        : '  sign-in:    email code (AUTH_PROVIDER=local)',
    );
    console.log(`  mail:       ${config.PUBLIC_URL}${mailboxPath} (sign-in codes; nothing leaves this machine)`);
    console.log(`Open ${config.PUBLIC_URL}/ and sign in as:`);
    const how = config.AUTH_PROVIDER === 'oidc' ? 'at the identity provider, any password' : 'email code';
    for (const p of DEMO_PEOPLE) console.log(`  ${p.email.padEnd(20)} ${p.role} of ${DEMO_ORGANIZATION.name} (${how})`);
  } else {
    console.log(`  WorkOS:     ${config.WORKOS_API_HOSTNAME ?? 'api.workos.com'} (WORKOS_API_KEY)`);
  }
  console.log('Stop with Ctrl+C.');
}

export async function devCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const requested = loadConfig();
  // The port is bound first: PORT=0 becomes the real port PUBLIC_URL and the WorkOS redirect URI
  // name, and a port in use fails before the slower start.
  const { bindPort } = await import('../../http/serve.ts');
  const bound = await bindPort({ port: requested.PORT, host: requested.HOST });
  const base =
    requested.PORT === 0 && /:0$/.test(requested.PUBLIC_URL) ? loadConfig({ PORT: String(bound.port) }) : requested;
  const { gatehouse, server, config, emulator, idp } = await start(base, bound).catch(async (error: unknown) => {
    await bound.close(0);
    throw error;
  });
  if (emulator) {
    writeDevState(config.GATEHOUSE_DATA_DIR, {
      publicUrl: config.PUBLIC_URL,
      emulatorUrl: emulator.url,
      webhookSecret: config.WORKOS_WEBHOOK_SECRET ?? '',
      pid: process.pid,
      workos: { apiKey: emulator.apiKey, clientId: emulator.clientId, apiHostname: '127.0.0.1', port: emulator.port },
    });
  }
  const { DEV_MAILBOX_PATH } = await import('../../web/chrome.ts');
  await printBanner(config, server.url, emulator, idp, DEV_MAILBOX_PATH);
  const { onShutdownSignal } = await import('../../http/serve.ts');
  onShutdownSignal(async () => {
    clearDevState(config.GATEHOUSE_DATA_DIR);
    // The emulator first: it is the other process, and must not outlive dev even if closing hangs.
    await Promise.all([emulator?.stop(), idp?.close(), server.close(config.SHUTDOWN_TIMEOUT_MS)]);
    await gatehouse.close();
  });
  stopWhenOrphaned();
  return new Promise<number>(() => {});
}
