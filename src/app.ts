// The composition root: the one place that turns a Config into running parts and wires them.
// No module keeps global state; everything the server uses is built here and closed here.
import type { Hono } from 'hono';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { createHttpApp } from './http/app.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, type Store, type StoreLocation } from './store/store.ts';

export interface Gatehouse {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly app: Hono;
  close(): Promise<void>;
}

export function storeLocationFor(config: Config): StoreLocation {
  return config.DATABASE_URL
    ? { engine: 'postgres', url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }
    : { engine: 'pglite', dataDir: join(config.GATEHOUSE_DATA_DIR, 'pglite') };
}

export interface OpenGatehouseOptions {
  logger?: Logger;
  store?: Store;
}

export async function openGatehouse(config: Config, options: OpenGatehouseOptions = {}): Promise<Gatehouse> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const store = options.store ?? (await openStore(storeLocationFor(config), { onWarning: (m) => logger.warn(m) }));
  const app = createHttpApp({ store, logger });
  return {
    config,
    logger,
    store,
    app,
    close: () => store.close(),
  };
}
