// The HTTP application: middleware in order, then the route groups. Built without I/O; the
// caller (src/app.ts) passes in the opened store and logger.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../core/errors.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { createErrorHandler, notFound } from './error-handler.ts';
import { accessLog } from './middleware/access-log.ts';
import { clientAddress } from './client-address.ts';
import type { CidrList } from '../core/cidr.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { requestMetrics } from './middleware/metrics.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { csrf } from './middleware/csrf.ts';
import { responseSecurity } from './middleware/response-security.ts';
import { healthRoutes } from './routes/health.ts';
import { forwardAuthRoutes } from './routes/forward-auth.ts';
import { createApiV1, type ApiV1Deps } from './api/api.ts';
import type { ApiDeps } from './api/define-api.ts';
import { createAdminPages } from '../web/admin/admin-pages.ts';
import { ADMIN_PAGES } from '../web/admin/index.ts';
import { requireTenantEntry } from '../identity/super-admin.ts';
import { homeRoutes } from '../web/home.ts';
import { styleRoutes } from '../web/styles.ts';
import { AUDIT_JWKS_PATH, jwksOf } from '../audit/checkpoint.ts';
import type { ScimEnv } from '../scim/http.ts';

export interface HttpAppDeps {
  store: Store;
  logger: Logger;
  /** The install's permissions (Gatehouse's and the app's); default: Gatehouse's own only. */
  permissions?: PermissionCatalogue | undefined;
  /** The /auth/* sign-in routes (src/http/routes/auth-routes.ts), built by the composition root. */
  signInRoutes?: Hono;
  /** Resolves a request's AuthContext for /api/v1 (the access verifier); absent, the API answers 401. */
  authenticate?: ApiDeps['authenticate'];
  onSuperAdminEntry?: ApiDeps['onSuperAdminEntry'];
  publicUrl?: string;
  sso?: ApiV1Deps['sso'];
  organizationAdmin?: ApiV1Deps['organizationAdmin'];
  sessions?: ApiV1Deps['sessions'];
  accessRevoker?: ApiV1Deps['accessRevoker'];
  syncNow?: ApiV1Deps['syncNow'];
  /** Signs audit checkpoints and lists the trusted public keys; absent, checkpoints answer 503. */
  auditKeys?: ApiV1Deps['auditKeys'];
  introspection?: ApiV1Deps['introspection'];
  /** AUTH_PROVIDER=oidc: the OIDC connections service, for /api/v1 and the SSO page. */
  oidcConnections?: ApiV1Deps['oidcConnections'];
  /** POST /webhooks/workos (src/webhooks/receiver.ts); absent when no webhook secret is configured. */
  webhookRoutes?: Hono;
  /** TRUSTED_PROXIES: whose X-Forwarded-For names the client (src/http/client-address.ts). */
  trustedProxies?: CidrList | undefined;
  /** Request counts and latency; GET /metrics too unless `metricsOnOwnPort` (METRICS_PORT). */
  metrics?: Metrics | undefined;
  metricsOnOwnPort?: boolean;
  /** The identity provider's origins that forms may be redirected to (sign-out, admin portal). */
  formActionOrigins?: readonly string[];
  /** Routes only `gatehouse dev` serves (the dev mailbox); their presence also links them from the header. */
  devRoutes?: Hono;
  /** The SCIM 2.0 server (src/scim/router.ts), mounted at /scim/v2 with its own body limit and errors. */
  scimRoutes?: Hono<ScimEnv>;
}

export interface HttpAppOptions {
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

export function createHttpApp(deps: HttpAppDeps, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(clientAddress({ trustedProxies: deps.trustedProxies }));
  if (deps.metrics) app.use(requestMetrics(deps.metrics));
  app.use(accessLog(deps.logger));
  app.use(secureHeaders());
  app.use(responseSecurity({ formActionOrigins: deps.formActionOrigins ?? [] }));
  // Before the body limit and CSRF check: SCIM sets its own limit and answers every error, that
  // one included, in the SCIM format identity providers parse; it takes bearer tokens, no cookies.
  if (deps.scimRoutes) app.route('/scim/v2', deps.scimRoutes);
  app.use(
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: () => {
        throw new AppError('REQUEST_TOO_LARGE', 'The request body is too large');
      },
    }),
  );
  // Cookie-carrying state changes must come from our own origin, whatever route they hit.
  app.use(csrf({ publicUrl: deps.publicUrl || undefined }));
  app.route('/', healthRoutes(deps.store));
  if (deps.metrics && !deps.metricsOnOwnPort) app.route('/', metricsRoutes(deps.metrics.registry));
  app.route('/', styleRoutes());
  // Before the sign-in routes: their /auth/* rate limit is for people signing in, and a proxy asks
  // /auth/verify once per request of every user from one address (it would lock the whole site out).
  app.route('/', forwardAuthRoutes({ authenticate: (c) => authenticate(c), publicUrl: deps.publicUrl ?? '' }));
  if (deps.signInRoutes) app.route('/', deps.signInRoutes);
  if (deps.webhookRoutes) app.route('/', deps.webhookRoutes);
  // Public keys of the audit checkpoints, for tenants verifying offline; retired keys stay listed.
  app.get(AUDIT_JWKS_PATH, (c) => c.json(jwksOf(deps.auditKeys?.trusted ?? new Map())));
  const authenticate: ApiDeps['authenticate'] =
    deps.authenticate ??
    (async () => {
      throw new AppError('AUTH_REQUIRED', 'Sign in or send a bearer credential', {
        details: { wwwAuthenticate: 'Bearer realm="gatehouse"' },
      });
    });
  // A super-admin inside another tenant needs an entry made by an explicit, audited POST; reads write nothing.
  const onSuperAdminEntry: ApiDeps['onSuperAdminEntry'] =
    deps.onSuperAdminEntry ?? ((auth, orgId) => requireTenantEntry(deps.store.db, auth, orgId));
  const apiV1 = {
    ...createApiV1({
      store: deps.store,
      permissions: deps.permissions,
      publicUrl: deps.publicUrl ?? '',
      authenticate,
      onSuperAdminEntry,
      sso: deps.sso,
      organizationAdmin: deps.organizationAdmin,
      sessions: deps.sessions,
      accessRevoker: deps.accessRevoker,
      syncNow: deps.syncNow,
      auditKeys: deps.auditKeys,
      introspection: deps.introspection,
      oidcConnections: deps.oidcConnections,
    }),
    authenticate,
  };
  app.route('/api/v1', apiV1.router);
  app.route(
    '/admin',
    createAdminPages(
      {
        store: deps.store,
        authenticate: apiV1.authenticate,
        onSuperAdminEntry,
        services: {
          sso: deps.sso?.sso,
          provider: deps.sso?.provider,
          organizationAdmin: deps.organizationAdmin,
          sessions: deps.sessions,
          accessRevoker: deps.accessRevoker,
          syncNow: deps.syncNow,
          publicUrl: deps.publicUrl,
          devMailbox: Boolean(deps.devRoutes),
          auditKeys: deps.auditKeys,
          permissions: deps.permissions,
          oidcConnections: deps.oidcConnections,
        },
      },
      ADMIN_PAGES,
    ),
  );
  app.route(
    '/',
    homeRoutes({
      store: deps.store,
      authenticate: apiV1.authenticate,
      sections: ADMIN_PAGES,
      devMailbox: Boolean(deps.devRoutes),
    }),
  );
  if (deps.devRoutes) app.route('/', deps.devRoutes);
  app.notFound(notFound);
  app.onError(createErrorHandler(deps.logger));
  return app;
}
