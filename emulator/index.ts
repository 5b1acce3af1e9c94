// startEmulator: an offline WorkOS on a local port. Builds the world and keys, loads a seed,
// wires webhook delivery to the event log, and serves the API with @hono/node-server.
// The emulator never imports Gatehouse (`src/`): it is a stand-alone WorkOS.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createWorld, type World } from './state/world.ts';
import { openSigningKeys, type SigningKeys } from './keys/signing-keys.ts';
import type { EmulatorContext } from './services/context.ts';
import { ensureDefaultRoles } from './services/roles.ts';
import { createFaultHooks } from './http/faults.ts';
import { createEmulatorApp } from './http/app.ts';
import { loadSeed, readSeedFile, type SeedSummary } from './seed/load-seed.ts';
import { createScimRouter } from './scim/router.ts';
import {
  createWebhookDispatcher,
  type DeliveryFetch,
  type DispatcherOptions,
  type WebhookDispatcher,
} from './delivery/dispatcher.ts';
import { createChaosRouter } from './delivery/chaos-router.ts';
import { openStateFolder, restoreWorld, saveDelayMs, snapshotWorld, type StateFolder } from './state/persistence.ts';

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
  /** Outbound HTTP for webhook delivery (tests inject one); by default node:http, kept alive. */
  fetch?: DeliveryFetch;
  /** Webhook delivery tuning: retry backoff (tests scale it to milliseconds), lanes, chaos at start. */
  webhooks?: Pick<DispatcherOptions, 'retry' | 'concurrency' | 'chaos'>;
  /**
   * A folder that keeps the world across restarts: loaded at start when it holds a saved world
   * (the seed is then not loaded again), saved shortly after every request and at close.
   */
  stateDir?: string;
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
  /** True when the world was loaded from `stateDir` instead of the seed. */
  restored: boolean;
  /** Writes the world to `stateDir` now (no-op without one). */
  saveState(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Saves the world shortly after changes; one write at a time, the last state always written.
 * Spaced by what the last save cost (saveDelayMs), so a large world is not snapshotted after
 * every few SCIM writes.
 */
function stateSaver(folder: StateFolder | null, world: World, keys: SigningKeys) {
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let lastCostMs = 0;
  const saveNow = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!folder) return Promise.resolve();
    writing = writing
      .then(async () => {
        const exported = await keys.export();
        const started = performance.now();
        folder.save(snapshotWorld(world, exported));
        lastCostMs = performance.now() - started;
      })
      .catch((error: unknown) => {
        process.emitWarning(`emulator: could not save state to ${folder.path}: ${String(error)}`);
      });
    return writing;
  };
  return {
    saveNow,
    schedule() {
      if (!folder || timer) return;
      timer = setTimeout(() => void saveNow(), saveDelayMs(lastCostMs));
      timer.unref();
    },
  };
}

/** The hosted pages are optional: mounted when emulator/hosted provides its router. */
// biome-ignore lint/suspicious/noExplicitAny: the optional hosted router keeps its own Env
async function loadHostedRouter(ctx: EmulatorContext): Promise<Hono<any> | undefined> {
  const path = new URL('./hosted/router.ts', import.meta.url);
  if (!existsSync(path)) return undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the optional hosted router keeps its own Env
  const mod = (await import(path.href)) as { createHostedRouter?: (ctx: EmulatorContext) => Hono<any> };
  return mod.createHostedRouter?.(ctx);
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const world = createWorld();
  const folder = options.stateDir ? openStateFolder(options.stateDir) : null;
  const saved = folder?.read() ?? null;
  const snapshot = saved === null ? null : restoreWorld(world, saved);
  const keys = await openSigningKeys(snapshot?.keys);
  const config = {
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    baseUrl: options.publicUrl ?? '',
  };
  const ctx: EmulatorContext = { world, keys, config };
  world.eventContext.client_id = config.clientId;
  ensureDefaultRoles(ctx);

  const webhooks = createWebhookDispatcher({
    ...options.webhooks,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    endpoints: () => [...world.webhookEndpoints.values()],
  });
  const unsubscribe = world.onEvent((event) => webhooks.enqueue(event));

  const faults = createFaultHooks();
  const hosted = await loadHostedRouter(ctx);
  const app = createEmulatorApp(ctx, {
    faults,
    scim: createScimRouter(world),
    chaos: createChaosRouter(webhooks),
    ...(hosted ? { hosted } : {}),
  });

  const saver = stateSaver(folder, world, keys);
  // Any request may change the world (a sign-in mints codes and sessions, a GET of a hosted page
  // starts a flow): each schedules a save, coalesced into one write.
  const handle = async (request: Request, env: unknown) => {
    const response = await app.fetch(request, env);
    saver.schedule();
    return response;
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: handle, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  // The base URL is only known once the port is: links and the token issuer use it.
  if (!config.baseUrl) config.baseUrl = url;

  let seed: SeedSummary | null = null;
  try {
    if (options.seed !== false && !snapshot) {
      const doc = typeof options.seed === 'object' ? options.seed : await readSeedFile(options.seed ?? DEMO_SEED_PATH);
      seed = loadSeed(ctx, doc);
    }
  } catch (error) {
    server.close();
    throw error;
  }
  await saver.saveNow();

  return {
    url: config.baseUrl,
    port,
    apiKey: config.apiKey,
    clientId: config.clientId,
    world,
    context: ctx,
    webhooks,
    seed,
    restored: snapshot !== null,
    saveState: saver.saveNow,
    async close() {
      unsubscribe();
      webhooks.close();
      await saver.saveNow();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from SDK clients would hold close() open otherwise.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
