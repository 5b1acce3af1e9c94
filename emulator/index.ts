// startEmulator: an offline WorkOS on a local port. Builds the world and keys, loads a seed,
// wires webhook delivery to the event log, and serves the API with @hono/node-server.
// The emulator never imports Gatehouse (`src/`): it is a stand-alone WorkOS.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createWorld, type World } from './state/world.ts';
import { openSigningKeys } from './keys/signing-keys.ts';
import type { EmulatorContext } from './services/context.ts';
import { ensureDefaultRoles } from './services/roles.ts';
import { createFaultHooks } from './http/faults.ts';
import { createEmulatorApp } from './http/app.ts';
import { loadSeed, readSeedFile, type SeedSummary } from './seed/load-seed.ts';
import { createScimRouter } from './scim/router.ts';
import { createWebhookDispatcher, type DispatcherOptions, type WebhookDispatcher } from './delivery/dispatcher.ts';
import { createChaosRouter } from './delivery/chaos-router.ts';

export const DEFAULT_API_KEY = 'sk_test_gatehouse_emulator';
export const DEFAULT_CLIENT_ID = 'client_gatehouse_emulator';
export const DEMO_SEED_PATH = fileURLToPath(new URL('./seed/demo-seed.yaml', import.meta.url));

export interface StartEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** A seed file path or document; `undefined` loads the demo seed, `false` starts empty. */
  seed?: string | object | false;
  apiKey?: string;
  clientId?: string;
  /** The URL clients use, when it differs from `http://host:port` (a proxy, a container). */
  publicUrl?: string;
  /** Outbound fetch for webhook delivery (tests inject one). */
  fetch?: typeof globalThis.fetch;
  /** Webhook delivery tuning: retry backoff (tests scale it to milliseconds), lanes, chaos at start. */
  webhooks?: Pick<DispatcherOptions, 'retry' | 'concurrency' | 'chaos'>;
}

export interface RunningEmulator {
  url: string;
  port: number;
  apiKey: string;
  clientId: string;
  world: World;
  context: EmulatorContext;
  webhooks: WebhookDispatcher;
  seed: SeedSummary | null;
  close(): Promise<void>;
}

/** The hosted pages are optional: mounted when emulator/hosted provides its router. */
async function loadHostedRouter(ctx: EmulatorContext): Promise<Hono<any> | undefined> {
  const path = new URL('./hosted/router.ts', import.meta.url);
  if (!existsSync(path)) return undefined;
  const mod = (await import(path.href)) as { createHostedRouter?: (ctx: EmulatorContext) => Hono<any> };
  return mod.createHostedRouter?.(ctx);
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const world = createWorld();
  const keys = await openSigningKeys();
  const config = { apiKey: options.apiKey ?? DEFAULT_API_KEY, clientId: options.clientId ?? DEFAULT_CLIENT_ID, baseUrl: options.publicUrl ?? '' };
  const ctx: EmulatorContext = { world, keys, config };
  world.eventContext.client_id = config.clientId;
  ensureDefaultRoles(ctx);

  const webhooks = createWebhookDispatcher({
    ...options.webhooks,
    fetch: options.fetch ?? globalThis.fetch,
    endpoints: () => [...world.webhookEndpoints.values()],
  });
  const unsubscribe = world.onEvent((event) => webhooks.enqueue(event));

  const faults = createFaultHooks();
  const hosted = await loadHostedRouter(ctx);
  const app = createEmulatorApp(ctx, { faults, scim: createScimRouter(world), chaos: createChaosRouter(webhooks), ...(hosted ? { hosted } : {}) });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  // The base URL is only known once the port is: links and the token issuer use it.
  if (!config.baseUrl) config.baseUrl = url;

  let seed: SeedSummary | null = null;
  try {
    if (options.seed !== false) {
      const doc = typeof options.seed === 'object' ? options.seed : await readSeedFile(options.seed ?? DEMO_SEED_PATH);
      seed = loadSeed(ctx, doc);
    }
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    url: config.baseUrl,
    port,
    apiKey: config.apiKey,
    clientId: config.clientId,
    world,
    context: ctx,
    webhooks,
    seed,
    async close() {
      unsubscribe();
      webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from SDK clients would hold close() open otherwise.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
