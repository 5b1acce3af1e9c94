// The composition root: the one place that turns a Config into running parts and wires them.
// No module keeps global state; everything the server uses is built here and closed here.
import type { Hono } from 'hono';
import { join } from 'node:path';
import { openAccess, workosApiBaseUrl, type AccessParts } from './access/compose.ts';
import type { Config } from './config.ts';
import { createWorkosProvider } from './identity/workos/workos-provider.ts';
import { readSsoConfig } from './sso/sso-config.ts';
import { createHttpApp } from './http/app.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, type Store, type StoreLocation } from './store/store.ts';

export interface Gatehouse {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly app: Hono;
  /** Revocation bus, sessions (when GATEHOUSE_SECRET is set) and the access verifier. */
  readonly access: AccessParts;
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
  const provider = config.AUTH_PROVIDER === 'workos' && config.WORKOS_API_KEY && config.WORKOS_CLIENT_ID
    ? createWorkosProvider({ apiKey: config.WORKOS_API_KEY, clientId: config.WORKOS_CLIENT_ID, apiHostname: new URL(workosApiBaseUrl(config)).hostname, port: config.WORKOS_API_PORT, https: config.WORKOS_API_HTTPS })
    : undefined;
  const access = openAccess({ config, store, logger, refresher: provider, isSsoEnforced: async (organizationId, tx) => (await readSsoConfig(tx, organizationId)).enforced });
  const app = createHttpApp({ store, logger, authenticate: access.authenticate, publicUrl: config.PUBLIC_URL });
  return {
    config,
    logger,
    store,
    app,
    access,
    close: async () => {
      await access.close();
      await store.close();
    },
  };
}
