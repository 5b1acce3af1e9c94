// A running Gatehouse for end-to-end tests, built from real parts: the WorkOS emulator in-process
// with its demo seed, Gatehouse from its composition root on a PGlite store, served on a real port
// so a browser can follow redirects between the two, and the emulator's webhook endpoint pointed
// at Gatehouse's POST /webhooks/workos with the shared signing secret (what a WorkOS dashboard
// setup does in production), so the mirror follows what happens in WorkOS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { openGatehouse, type Gatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { bindPort, type RunningServer } from '../../src/http/serve.ts';
import { createLogger } from '../../src/logger.ts';
import { HANDLED_EVENT_TYPES } from '../../src/mirror/handlers.ts';
import { openPgliteTestStore } from './stores.ts';

export const GATEHOUSE_TEST_SECRET = 'gatehouse-server-test-secret-0123456789-abcdef';
export const WEBHOOK_TEST_SECRET = 'whsec_gatehouse_server_test_0123456789';

export interface GatehouseServer {
  emulator: RunningEmulator;
  gatehouse: Gatehouse;
  server: RunningServer;
  /** Gatehouse's base URL, also its PUBLIC_URL. */
  url: string;
  /** A seeded organization's id by name. */
  org(name: string): string;
  /** A seeded user's id by email. */
  user(email: string): string;
  /** Waits until every webhook the emulator has queued so far was delivered (or gave up) and applied. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

export interface GatehouseServerOptions {
  /** A seed document for the emulator; the demo seed when omitted. */
  seed?: object;
  env?: Record<string, string>;
}

async function emulatorApi(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/**
 * Starts the emulator and Gatehouse, registers the webhook endpoint, and brings the seeded world
 * into the mirror through one reconciliation run (the Events API repair path, as `serve` runs on
 * its schedule): the seed was written before any endpoint existed, so no webhook carried it.
 */
export async function startGatehouseServer(options: GatehouseServerOptions = {}): Promise<GatehouseServer> {
  const emulator = await startEmulator(options.seed ? { seed: options.seed } : {});
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-server-'));
  let gatehouse: Gatehouse | undefined;
  let server: RunningServer | undefined;
  try {
    const bound = await bindPort({ port: 0, host: '127.0.0.1' });
    const url = bound.url;
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      GATEHOUSE_SECRET: GATEHOUSE_TEST_SECRET,
      GATEHOUSE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      AUTH_PROVIDER: 'workos',
      RECONCILE_INTERVAL_SECONDS: '0',
      WORKOS_API_KEY: emulator.apiKey,
      WORKOS_CLIENT_ID: emulator.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emulator.port),
      WORKOS_API_HTTPS: 'false',
      WORKOS_WEBHOOK_SECRET: WEBHOOK_TEST_SECRET,
      ...options.env,
    });
    // A copy of a migrated template (~0.5 s) instead of a fresh PGlite in the data folder (~2.5 s).
    gatehouse = await openGatehouse(config, { store: await openPgliteTestStore(), logger: createLogger('silent') });
    await gatehouse.access.bus.ready;
    server = bound.serve(gatehouse.app);
    await emulatorApi(emulator, 'POST', '/webhook_endpoints', {
      endpoint_url: `${url}/webhooks/workos`,
      events: [...HANDLED_EVENT_TYPES],
      secret: WEBHOOK_TEST_SECRET,
    });
    await gatehouse.directorySync.reconcile({ full: true });

    const running = { gatehouse, server };
    const lookup = (kind: 'organizations' | 'users', key: string) => {
      const id = emulator.seed?.[kind][key];
      if (!id) throw new Error(`no seeded ${kind === 'users' ? 'user' : 'organization'} ${key}`);
      return id;
    };
    return {
      emulator,
      gatehouse,
      server,
      url,
      org: (name) => lookup('organizations', name),
      user: (email) => lookup('users', email),
      webhooksIdle: async () => {
        await emulator.webhooks.idle();
        // With WEBHOOK_ACKNOWLEDGE=durable a 200 means queued: wait for what is queued to be applied.
        await running.gatehouse.webhooks.applyWorker?.wake();
      },
      async close() {
        // Deliveries stop first, then the server, then Gatehouse and its store.
        await emulator.close();
        await running.server.close(1000);
        await running.gatehouse.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await emulator.close();
    await server?.close(500);
    await gatehouse?.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
