// The HTTP application: middleware in order, then the route groups. Built without I/O; the
// caller (src/app.ts) passes in the opened store and logger.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { createErrorHandler, notFound } from './error-handler.ts';
import { accessLog } from './middleware/access-log.ts';
import { csrf } from './middleware/csrf.ts';
import { healthRoutes } from './routes/health.ts';
import { forwardAuthRoutes } from './routes/forward-auth.ts';
import { createApiV1, type ApiV1Deps } from './api/api.ts';
import type { ApiDeps } from './api/define-api.ts';
import { createAdminPages } from '../web/admin/admin-pages.ts';
import { ADMIN_PAGES } from '../web/admin/index.ts';
import { recordSuperAdminEntry } from '../identity/super-admin.ts';

export interface HttpAppDeps {
  store: Store;
  logger: Logger;
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
  introspection?: ApiV1Deps['introspection'];
  /** POST /webhooks/workos (src/webhooks/receiver.ts); absent when no webhook secret is configured. */
  webhookRoutes?: Hono;
}

export interface HttpAppOptions {
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

export function createHttpApp(deps: HttpAppDeps, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(accessLog(deps.logger));
  app.use(secureHeaders());
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
  // Before the sign-in routes: their /auth/* rate limit is for people signing in, and a proxy asks
  // /auth/verify once per request of every user from one address (it would lock the whole site out).
  app.route('/', forwardAuthRoutes({ authenticate: (c) => authenticate(c), publicUrl: deps.publicUrl ?? '' }));
  if (deps.signInRoutes) app.route('/', deps.signInRoutes);
  if (deps.webhookRoutes) app.route('/', deps.webhookRoutes);
  const authenticate: ApiDeps['authenticate'] =
    deps.authenticate ??
    (async () => {
      throw new AppError('AUTH_REQUIRED', 'Sign in or send a bearer credential', { details: { wwwAuthenticate: 'Bearer realm="gatehouse"' } });
    });
  const onSuperAdminEntry: ApiDeps['onSuperAdminEntry'] = deps.onSuperAdminEntry ?? ((auth, orgId, c) => recordSuperAdminEntry(deps.store.db, auth, orgId, `${c.req.method} ${c.req.path}`));
  const apiV1 = { ...createApiV1({ store: deps.store, publicUrl: deps.publicUrl ?? '', authenticate, onSuperAdminEntry, sso: deps.sso, organizationAdmin: deps.organizationAdmin, sessions: deps.sessions, accessRevoker: deps.accessRevoker, syncNow: deps.syncNow, introspection: deps.introspection }), authenticate };
  app.route('/api/v1', apiV1.router);
  app.route('/admin', createAdminPages({ store: deps.store, authenticate: apiV1.authenticate, onSuperAdminEntry, services: { sso: deps.sso?.sso, provider: deps.sso?.provider, organizationAdmin: deps.organizationAdmin, sessions: deps.sessions, accessRevoker: deps.accessRevoker, syncNow: deps.syncNow, publicUrl: deps.publicUrl } }, ADMIN_PAGES));
  app.notFound(notFound);
  app.onError(createErrorHandler(deps.logger));
  return app;
}
