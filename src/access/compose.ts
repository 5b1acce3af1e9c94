// Builds the sessions and access pieces from a Config for the composition root (src/app.ts):
// the revocation bus on the store, the session service (when GATEHOUSE_SECRET is set: no secret,
// no token vault, so no cookie sessions), and the access verifier subscribed to the bus.
//
// Exported API: openAccess({ config, store, logger, refresher?, signInPolicy? }) -> { bus, sessions, verifier, close }
import { sealingSecrets, type Config } from '../config.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import { workosApiBaseUrl } from '../identity/workos/sdk-client.ts';
import type { SignInPolicy } from '../core/sign-in-policy.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Tx } from '../store/tenant.ts';
import { openRevocationBus, type RevocationBus } from '../sessions/revocation-bus.ts';
import { createSessionService, type SessionService, type TokenRefresher } from '../sessions/session-service.ts';
import { createAccessVerifier, type AccessVerifier } from './access-verifier.ts';

export interface AccessParts {
  bus: RevocationBus;
  sessions: SessionService | undefined;
  verifier: AccessVerifier;
  close(): Promise<void>;
}

export interface OpenAccessOptions {
  config: Config;
  store: Store;
  logger: Logger;
  /** The install's permissions, built from the Config by the composition root. */
  permissions: PermissionCatalogue;
  refresher?: TokenRefresher | undefined;
  signInPolicy?: ((organizationId: string, tx: Tx) => Promise<SignInPolicy>) | undefined;
  /** Wraps the verifier at the edge (the composition root counts decisions by kind and outcome). */
  wrapVerifier?: ((verifier: AccessVerifier) => AccessVerifier) | undefined;
  /** Time for sessions and the credential cache (tests move it instead of sleeping). */
  clock?: (() => number) | undefined;
}

export function openAccess(options: OpenAccessOptions): AccessParts {
  const { config, store, logger } = options;
  const bus = openRevocationBus({ store, logger });
  bus.ready.catch((error: Error) => logger.warn({ err: error.message }, 'revocation bus not listening yet; retrying'));
  const sessions = config.GATEHOUSE_SECRET
    ? createSessionService({
        db: store.db,
        secrets: sealingSecrets(config),
        config,
        logger,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.refresher ? { refresher: options.refresher } : {}),
        ...(options.signInPolicy ? { signInPolicy: options.signInPolicy } : {}),
      })
    : undefined;
  const bare = createAccessVerifier({
    db: store.db,
    bus,
    permissions: options.permissions,
    cacheTtlSeconds: config.AUTH_CACHE_TTL_SECONDS,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(sessions ? { sessions } : {}),
    ...(config.GATEHOUSE_SUPERADMIN_ORG ? { superAdminOrganizationId: config.GATEHOUSE_SUPERADMIN_ORG } : {}),
    ...(config.WORKOS_CLIENT_ID
      ? { workos: { apiBaseUrl: workosApiBaseUrl(config), clientId: config.WORKOS_CLIENT_ID } }
      : {}),
  });
  const verifier = options.wrapVerifier ? options.wrapVerifier(bare) : bare;
  return {
    bus,
    sessions,
    verifier,
    async close() {
      verifier.close();
      await bus.close();
    },
  };
}
