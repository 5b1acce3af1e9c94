// The composition root: the one place that turns a Config into running parts and wires them.
// No module keeps global state; everything the server uses is built here and closed here.
import type { Hono } from 'hono';
import { join } from 'node:path';
import { openAccess, type AccessParts } from './access/compose.ts';
import { sealingSecrets, type Config } from './config.ts';
import { createPermissionCatalogue, type PermissionCatalogue } from './core/permission-catalogue.ts';
import { createWorkosProvider } from './identity/workos/workos-provider.ts';
import { createWorkosOrganizationAdmin } from './identity/workos/workos-organization-admin.ts';
import { createStoreOrganizationAdmin } from './identity/local/store-organization-admin.ts';
import { createLocalProvider } from './identity/local/local-provider.ts';
import { createEmailCodes } from './identity/local/email-codes.ts';
import { createOidcSignIn } from './identity/oidc/oidc-sign-in.ts';
import type { OidcConnections } from './identity/oidc/oidc-connections.ts';
import { createMailer } from './mail/mailer.ts';
import { createSsoService, readSsoConfig, type SsoService } from './sso/sso-config.ts';
import { createSignInService } from './identity/sign-in.ts';
import type { IdentityProvider } from './identity/provider.ts';
import { createSignInRoutes } from './http/routes/auth-routes.ts';
import { createHttpApp } from './http/app.ts';
import { clientAddressOf } from './http/client-address.ts';
import { revokeApiKey } from './access/api-keys.ts';
import { createAccessRevoker } from './mirror/access-revoker.ts';
import { createDirectorySync, type DirectorySync, type DirectorySyncDeps } from './directory/directory-sync-service.ts';
import { publishRevocation } from './sessions/revocation-bus.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, storeLocationFor, type Store } from './store/store.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { instrumentFetch, instrumentSignIn, instrumentVerifier } from './metrics/instrument.ts';
import { metricsRoutes } from './http/routes/metrics.ts';
import { createDirectoryClient } from './directory/workos-client.ts';
import { workosApiBaseUrl, workosClientOptions, workosSignInOptions } from './identity/workos/sdk-client.ts';
import { createMailDelivery } from './mail/mail-delivery.ts';
import { createWebhookIntake, type WebhookIntake, type WebhookIntakeDeps } from './webhooks/intake.ts';
import { createRetention, type Retention } from './retention/retention-schedule.ts';
import { auditKeyRingFor, type AuditKeyRing } from './audit/checkpoint.ts';
import { startCheckpointer } from './audit/checkpoints.ts';
import { createScimRoutes } from './scim/router.ts';
import { ensureProviderRole } from './organizations/provider-roles.ts';

export interface Gatehouse {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly app: Hono;
  /** Revocation bus, sessions (when GATEHOUSE_SECRET is set) and the access verifier. */
  readonly access: AccessParts;
  /** The identity provider and SSO service, when AUTH_PROVIDER=workos has its key and client id. */
  readonly identity: { provider: IdentityProvider; sso: SsoService } | null;
  /** AUTH_PROVIDER=oidc: organizations' OIDC connections and the redirect URI to register for them. */
  readonly oidc: { connections: OidcConnections; redirectUri: string } | null;
  /** Reconciliation against WorkOS, on demand and on a schedule (src/directory/). */
  readonly directorySync: DirectorySync;
  /** POST /webhooks/workos and the apply worker (src/webhooks/); `serve` starts the worker. */
  readonly webhooks: WebhookIntake;
  /** The Prometheus registry and counters of this Gatehouse (src/metrics/metrics.ts). */
  readonly metrics: Metrics;
  /** GET /metrics alone, for the METRICS_PORT listener (the main app serves it when that is unset). */
  readonly metricsApp: Hono;
  /** Pruning of the inbox, ended sessions and sent mail (src/retention/); `serve` starts its schedule. */
  readonly retention: Retention;
  /** Audit checkpoint signing and trusted public keys (AUDIT_SIGNING_KEY or GATEHOUSE_SECRET). */
  readonly auditKeys: AuditKeyRing;
  /** Gatehouse's permissions and the app's (GATEHOUSE_APP_PERMISSIONS_FILE), read once at start. */
  readonly permissions: PermissionCatalogue;
  close(): Promise<void>;
}

/** Where sign-out and admin-portal forms are redirected: the WorkOS API host, and its hosted setup pages. */
function providerFormOrigins(config: Config): string[] {
  if (config.AUTH_PROVIDER !== 'workos') return [];
  const api = workosApiBaseUrl(config);
  return new URL(api).hostname === 'api.workos.com' ? [api, 'https://setup.workos.com'] : [api];
}

export interface OpenGatehouseOptions {
  logger?: Logger;
  store?: Store;
  metrics?: Metrics;
  /** Time for sessions and credential caching; tests move it instead of sleeping. */
  clock?: () => number;
  /** Routes only `gatehouse dev` adds (the dev mailbox). */
  devRoutes?: Hono;
}

export async function openGatehouse(config: Config, options: OpenGatehouseOptions = {}): Promise<Gatehouse> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const store = options.store ?? (await openStore(storeLocationFor(config), { onWarning: (m) => logger.warn(m) }));
  const metrics = options.metrics ?? createMetrics();
  const permissions = createPermissionCatalogue(config.APP_PERMISSIONS);
  // Every WorkOS call (sign-in, administration, directory sync) goes through one timed fetch.
  const fetch = instrumentFetch(metrics);
  const workosSignIn = workosSignInOptions(config);
  const workosProvider =
    config.AUTH_PROVIDER === 'workos' && workosSignIn ? createWorkosProvider({ ...workosSignIn, fetch }) : undefined;
  // AUTH_PROVIDER=local (or oidc with LOCAL_EMAIL_CODE=on): the built-in email code, mailed
  // through SMTP_URL or the dev outbox.
  const local =
    (config.AUTH_PROVIDER === 'local' || (config.AUTH_PROVIDER === 'oidc' && config.LOCAL_EMAIL_CODE)) &&
    config.GATEHOUSE_SECRET
      ? openLocalSignIn(config, store, config.GATEHOUSE_SECRET, options.clock)
      : undefined;
  // AUTH_PROVIDER=oidc: per-organization OIDC connections, client secrets under the token vault.
  const oidc =
    config.AUTH_PROVIDER === 'oidc' && config.GATEHOUSE_SECRET
      ? createOidcSignIn({
          db: store.db,
          secrets: [config.GATEHOUSE_SECRET, ...(config.GATEHOUSE_PREVIOUS_SECRETS ?? [])],
          publicUrl: config.PUBLIC_URL,
          signup: config.LOCAL_SIGNUP,
          ...(options.clock ? { clock: options.clock } : {}),
        })
      : undefined;
  const provider: IdentityProvider | undefined = workosProvider ?? oidc?.provider ?? local?.provider;
  // Members, invitations, admin portal links and tenant provisioning go through the same WorkOS client settings.
  // Without WorkOS (local, oidc) the store is the truth for memberships: admins change them there.
  const organizationAdmin =
    workosProvider && workosSignIn
      ? createWorkosOrganizationAdmin({ ...workosSignIn, fetch })
      : local || oidc
        ? createStoreOrganizationAdmin({
            db: store.db,
            revokeApiKey,
            sessions: { revokeAllForUser: async (...a) => (await access.sessions?.revokeAllForUser(...a)) ?? 0 },
          })
        : undefined;
  const access = openAccess({
    config,
    store,
    logger,
    permissions,
    wrapVerifier: (verifier) => instrumentVerifier(verifier, metrics),
    refresher: provider,
    signInPolicy: (organizationId, tx) => readSsoConfig(tx, organizationId),
    clock: options.clock,
  });
  // Sign-in (/auth/*) needs a provider and server-side sessions (which need GATEHOUSE_SECRET).
  const sso = provider ? createSsoService({ db: store.db, provider }) : null;
  const signInRoutes =
    provider && sso && access.sessions && config.GATEHOUSE_SECRET
      ? createSignInRoutes({
          db: store.db,
          provider,
          sso,
          sessions: access.sessions,
          logger,
          signIn: instrumentSignIn(
            createSignInService({
              db: store.db,
              provider,
              sessions: access.sessions,
              onProviderSessionNotEnded: (error) =>
                logger.warn({ err: (error as Error).message }, 'refused sign-in: provider session not ended'),
            }),
            metrics,
          ),
          secrets: sealingSecrets(config),
          publicUrl: config.PUBLIC_URL,
          redirectUri: config.WORKOS_REDIRECT_URI,
          ...(local ? { email: { provider: local.provider, codes: local.codes, mailer: local.mailer } } : {}),
          ...(oidc ? { oidc } : {}),
        })
      : undefined;
  // Deprovisioning reaches credentials through the revocation bus and the sessions/API key services.
  const accessRevoker = createAccessRevoker({
    publish: publishRevocation,
    revokeApiKey,
    ...(access.sessions ? { sessions: access.sessions } : {}),
    onSessionRevocationFailed: (error: unknown, at: { organizationId: string; userId: string; reason: string }) =>
      logger.error({ err: (error as Error).message, ...at }, 'sessions of a deprovisioned user not marked revoked'),
    // Roles decided by directory group mappings are written to WorkOS like an admin's change
    // (without WorkOS the mirror row the mapping set is already the truth: nothing to write back).
    ...(organizationAdmin && workosProvider
      ? {
          roles: {
            updateMembershipRole: (id: string, role: string) => organizationAdmin.updateMembershipRole(id, role),
            ensureRole: (orgId: string, role: string) =>
              ensureProviderRole(store.db, organizationAdmin, orgId, role, { type: 'directory', id: null }),
          },
          onRoleWriteFailed: (error: unknown, at: { membershipId: string }) =>
            logger.warn(
              { err: (error as Error).message, membershipId: at.membershipId },
              'mapped role not written to WorkOS yet',
            ),
        }
      : {}),
  });
  const workosClient = workosClientOptions(config);
  const directoryClient = workosClient ? createDirectoryClient({ ...workosClient, fetch }) : undefined;
  const mail = createMailDelivery(config, {
    db: store.db,
    ...(directoryClient ? { magicAuthCode: (id: string) => directoryClient.getMagicAuthCode(id) } : {}),
  });
  const webhooks = createWebhookIntake(config, {
    db: store.db,
    logger,
    access: accessRevoker,
    listen: store.listen,
    deliverMail: mail.deliver,
    ...observeWebhooks(metrics),
  });
  const directorySync = createDirectorySync(config, {
    db: store.db,
    engine: store.engine,
    logger,
    access: accessRevoker,
    deliverMail: mail.deliver,
    ...(directoryClient ? { client: directoryClient } : {}),
    ...observeDirectorySync(metrics),
  });
  metrics.addSources({
    revocationBusConnected: () => access.bus.connected,
    ...(store.poolStats ? { pool: () => store.poolStats?.() } : {}),
    ...(webhooks.receiver ? { webhookStats: () => ({ ...webhooks.receiver!.stats() }) } : {}),
  });
  const retention = createRetention(config, { db: store.db, engine: store.engine, logger, metrics });
  const unsubscribeMetrics = access.bus.subscribe({
    onEvent: (event) => metrics.revocationEvents.inc({ kind: event.kind }),
    onReset: () => metrics.revocationResets.inc(),
  });
  const auditKeys = auditKeyRingFor(config);
  const checkpointer = auditKeys.signer
    ? startCheckpointer(store.db, {
        signer: auditKeys.signer,
        everyEvents: config.AUDIT_CHECKPOINT_EVERY_EVENTS,
        intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000,
        logger,
      })
    : undefined;
  const app = createHttpApp({
    store,
    logger,
    permissions,
    auditKeys,
    authenticate: (c) => access.verifier.verify(c.req.raw, { sourceIp: clientAddressOf(c) }),
    publicUrl: config.PUBLIC_URL,
    trustedProxies: config.TRUSTED_PROXIES,
    metrics,
    metricsOnOwnPort: config.METRICS_PORT !== undefined,
    ...(webhooks.routes ? { webhookRoutes: webhooks.routes } : {}),
    ...(signInRoutes ? { signInRoutes } : {}),
    ...(options.devRoutes ? { devRoutes: options.devRoutes } : {}),
    ...(provider && sso ? { sso: { sso, provider } } : {}),
    ...(access.sessions ? { sessions: access.sessions } : {}),
    ...(organizationAdmin ? { organizationAdmin } : {}),
    ...(oidc ? { oidcConnections: { connections: oidc.connections, redirectUri: oidc.redirectUri } } : {}),
    accessRevoker,
    // Directories Gatehouse serves itself: SCIM writes go through the same mirror handlers.
    scimRoutes: createScimRoutes(
      { db: store.db, access: accessRevoker },
      {
        publicUrl: config.PUBLIC_URL,
        ratePerMinute: config.SCIM_RATE_LIMIT_PER_MINUTE,
        maxBodyBytes: config.SCIM_MAX_BODY_BYTES,
        sourceOf: clientAddressOf,
        onInternalError: (error) => logger.error({ err: (error as Error).message }, 'SCIM request failed'),
      },
    ),
    formActionOrigins: providerFormOrigins(config),
    introspection: {
      verifyCredential: (credential, meta) => access.verifier.verifyCredential(credential, meta),
      revocations: access.bus,
      superAdminOrganizationId: config.GATEHOUSE_SUPERADMIN_ORG,
    },
    // After an admin changes a member in WorkOS, pull its events at once so the mirror (and the
    // page the admin returns to) shows the change without waiting for the webhook.
    ...(directorySync.client
      ? {
          syncNow: async (organizationId: string) => {
            try {
              await directorySync.reconcile();
            } catch (error) {
              logger.warn(
                { err: (error as Error).message, organizationId },
                'pull after an admin change failed; webhook follows',
              );
            }
          },
        }
      : {}),
  });
  return {
    config,
    logger,
    store,
    app,
    access,
    identity: provider && sso ? { provider, sso } : null,
    oidc: oidc ? { connections: oidc.connections, redirectUri: oidc.redirectUri } : null,
    directorySync,
    webhooks,
    metrics,
    metricsApp: metricsRoutes(metrics.registry),
    retention,
    auditKeys,
    permissions,
    close: async () => {
      checkpointer?.close();
      retention.close();
      unsubscribeMetrics();
      directorySync.close();
      local?.mailer.close();
      await webhooks.close();
      mail.close();
      await access.close();
      await store.close();
    },
  };
}

/** The built-in email-code provider, its code store and the mailer its codes go out through. */
function openLocalSignIn(config: Config, store: Store, secret: string, clock: (() => number) | undefined) {
  const base = { db: store.db, secret, ...(clock ? { clock } : {}) };
  return {
    provider: createLocalProvider({ ...base, publicUrl: config.PUBLIC_URL, signup: config.LOCAL_SIGNUP }),
    codes: createEmailCodes(base),
    mailer: createMailer({
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
      devOutboxDir: join(config.GATEHOUSE_DATA_DIR, 'outbox'),
    }),
  };
}

/** Webhook commits, counted for /metrics with their lag behind the provider. */
function observeWebhooks(metrics: Metrics): Pick<WebhookIntakeDeps, 'onCommitted'> {
  return {
    onCommitted: (event, outcome) => {
      metrics.webhookApplied.inc({ outcome });
      const lag = (Date.now() - Date.parse(event.created_at)) / 1000;
      if (outcome !== 'duplicate' && Number.isFinite(lag)) metrics.webhookLag.observe(Math.max(0, lag));
    },
  };
}

/** Reconciliation runs, counted for /metrics. */
function observeDirectorySync(metrics: Metrics): Pick<DirectorySyncDeps, 'onReconcile'> {
  return {
    onReconcile: (result) => {
      if ('error' in result) return void metrics.reconcileRuns.inc({ outcome: 'failed' });
      if (!result.report) return void metrics.reconcileRuns.inc({ outcome: 'skipped' });
      metrics.reconcileRuns.inc({ outcome: 'completed' });
      metrics.reconcileLastSuccess.set(Date.now() / 1000);
      for (const [kind, counts] of Object.entries(result.report.kinds)) {
        for (const change of ['created', 'updated', 'deprovisioned'] as const) {
          if (counts[change] > 0) metrics.reconcileDrift.inc({ kind, change }, counts[change]);
        }
      }
    },
  };
}
