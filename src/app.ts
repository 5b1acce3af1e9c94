// The composition root: the one place that turns a Config into running parts and wires them.
// No module keeps global state; everything the server uses is built here and closed here.
import type { Hono } from 'hono';
import { join } from 'node:path';
import { openAccess, workosApiBaseUrl, type AccessParts } from './access/compose.ts';
import type { Config } from './config.ts';
import { createWorkosProvider } from './identity/workos/workos-provider.ts';
import { createWorkosOrganizationAdmin } from './identity/workos/workos-organization-admin.ts';
import { createSsoService, readSsoConfig, type SsoService } from './sso/sso-config.ts';
import { createSignInService } from './identity/sign-in.ts';
import type { IdentityProvider } from './identity/provider.ts';
import { createSignInRoutes } from './http/routes/auth-routes.ts';
import { createHttpApp } from './http/app.ts';
import { revokeApiKey } from './access/api-keys.ts';
import { createAccessRevoker } from './directory/access-revoker.ts';
import { createDirectorySync, type DirectorySync } from './directory/directory-sync-service.ts';
import { publishRevocation } from './sessions/revocation-bus.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, type Store, type StoreLocation } from './store/store.ts';

export interface Gatehouse {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly app: Hono;
  /** Revocation bus, sessions (when GATEHOUSE_SECRET is set) and the access verifier. */
  readonly access: AccessParts;
  /** The identity provider and SSO service, when AUTH_PROVIDER=workos has its key and client id. */
  readonly identity: { provider: IdentityProvider; sso: SsoService } | null;
  /** POST /webhooks/workos, reconciliation and the mail sender (src/directory/). */
  readonly directorySync: DirectorySync;
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
  // Members, invitations, admin portal links and tenant provisioning go through the same WorkOS client settings.
  const organizationAdmin = provider && config.WORKOS_API_KEY && config.WORKOS_CLIENT_ID
    ? createWorkosOrganizationAdmin({ apiKey: config.WORKOS_API_KEY, clientId: config.WORKOS_CLIENT_ID, apiHostname: new URL(workosApiBaseUrl(config)).hostname, port: config.WORKOS_API_PORT, https: config.WORKOS_API_HTTPS })
    : undefined;
  const access = openAccess({ config, store, logger, refresher: provider, signInPolicy: (organizationId, tx) => readSsoConfig(tx, organizationId) });
  // Sign-in (/auth/*) needs a provider and server-side sessions (which need GATEHOUSE_SECRET).
  const sso = provider ? createSsoService({ db: store.db, provider }) : null;
  const signInRoutes = provider && sso && access.sessions && config.GATEHOUSE_SECRET
    ? createSignInRoutes({
      db: store.db, provider, sso, sessions: access.sessions, logger,
      signIn: createSignInService({ db: store.db, provider, sessions: access.sessions }),
      secret: config.GATEHOUSE_SECRET, publicUrl: config.PUBLIC_URL, redirectUri: config.WORKOS_REDIRECT_URI,
    })
    : undefined;
  // Deprovisioning reaches credentials through the revocation bus and the sessions/API key services.
  const accessRevoker = createAccessRevoker({ publish: publishRevocation, revokeApiKey, ...(access.sessions ? { sessions: access.sessions } : {}) });
  const directorySync = createDirectorySync(config, { db: store.db, engine: store.engine, logger, access: accessRevoker });
  const app = createHttpApp({
    store, logger, authenticate: access.authenticate, publicUrl: config.PUBLIC_URL,
    ...(directorySync.routes ? { webhookRoutes: directorySync.routes } : {}),
    ...(signInRoutes ? { signInRoutes } : {}),
    ...(provider && sso ? { sso: { sso, provider } } : {}),
    ...(access.sessions ? { sessions: access.sessions } : {}),
    ...(organizationAdmin ? { organizationAdmin } : {}),
    accessRevoker,
    introspection: { verifyCredential: (credential, meta) => access.verifier.verifyCredential(credential, meta), revocations: access.bus, superAdminOrganizationId: config.GATEHOUSE_SUPERADMIN_ORG },
    // After an admin changes a member in WorkOS, pull its events at once so the mirror (and the
    // page the admin returns to) shows the change without waiting for the webhook.
    ...(directorySync.client ? { syncNow: async () => void (await directorySync.reconcile()) } : {}),
  });
  return {
    config,
    logger,
    store,
    app,
    access,
    identity: provider && sso ? { provider, sso } : null,
    directorySync,
    close: async () => {
      directorySync.close();
      await access.close();
      await store.close();
    },
  };
}
