// The emulator's HTTP surface: one Hono app, one error mapper, fault hooks first, then API-key
// auth, then the WorkOS API routes, the control surface, and the routers other parts of the
// emulator contribute (SCIM, webhook chaos switches, hosted pages).
import { Hono } from 'hono';
import type { EmulatorContext } from '../services/context.ts';
import { errorResponse, notFoundResponse } from './errors.ts';
import { faultMiddleware, type FaultHooks } from './faults.ts';
import { apiKeyAuth } from './auth.ts';
import { corsMiddleware } from './cors.ts';
import { idempotencyMiddleware } from './idempotency.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { userManagementRoutes } from './routes/user-management.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { directorySyncRoutes } from './routes/directory-sync.ts';
import { platformRoutes } from './routes/platform.ts';
import { controlRoutes } from './routes/control.ts';
import { environmentRoutes } from './routes/environment.ts';
import { authorizationRoutes } from './routes/authorization.ts';
import { radarRoutes } from './routes/radar.ts';
import { connectRoutes } from './routes/connect.ts';

export interface EmulatorAppParts {
  faults: FaultHooks;
  /** Mounted at `/scim/v2` (emulator/scim). */
  // biome-ignore lint/suspicious/noExplicitAny: sub-apps keep their own Env; the parent only mounts them
  scim?: Hono<any>;
  /** Mounted at `/_emulator/chaos` (emulator/delivery). */
  // biome-ignore lint/suspicious/noExplicitAny: sub-apps keep their own Env; the parent only mounts them
  chaos?: Hono<any>;
  /** Hosted AuthKit, test IdP and admin portal pages (emulator/hosted), mounted last. */
  // biome-ignore lint/suspicious/noExplicitAny: sub-apps keep their own Env; the parent only mounts them
  hosted?: Hono<any>;
}

/** Matches a request against the app's own routes (middleware excluded), compiled on first use. */
function routeMatcher(app: Hono): (method: string, path: string) => boolean {
  let compiled: Array<{ method: string; regex: RegExp }> | undefined;
  return (method, path) => {
    compiled ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({
        method: r.method,
        regex: new RegExp(
          `^${r.path
            .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
            .replace(/\\\{[^}]*\\\}/g, '')
            .replace(/:[A-Za-z_]+/g, '[^/]+')
            .replace(/\*/g, '.*')}/?$`,
        ),
      }));
    const wanted = method === 'HEAD' ? 'GET' : method;
    return compiled.some((r) => r.method === wanted && r.regex.test(path));
  };
}

export function createEmulatorApp(ctx: EmulatorContext, parts: EmulatorAppParts): Hono {
  const app = new Hono();
  app.onError(errorResponse);
  app.notFound(notFoundResponse);
  // WorkOS tags every response with a request id; the SDK copies it into its exceptions.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('X-Request-ID', ctx.world.newId('req'));
  });
  app.use('*', corsMiddleware(ctx.world));
  app.use('*', faultMiddleware(parts.faults));
  app.use('*', apiKeyAuth(ctx.config.apiKey, routeMatcher(app)));
  app.use('*', idempotencyMiddleware(ctx.world));
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Browsers ask every origin for an icon; the hosted pages have none to offer.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.route('/', signInRoutes(ctx, { hostedPages: parts.hosted !== undefined }));
  app.route('/', userManagementRoutes(ctx));
  app.route('/', organizationRoutes(ctx));
  app.route('/', directorySyncRoutes(ctx));
  app.route('/', platformRoutes(ctx));
  app.route('/', environmentRoutes(ctx));
  app.route('/', authorizationRoutes(ctx));
  app.route('/', radarRoutes(ctx));
  app.route('/', connectRoutes(ctx));
  app.route('/', controlRoutes(ctx, parts.faults));
  if (parts.chaos) app.route('/_emulator/chaos', parts.chaos);
  if (parts.scim) app.route('/scim/v2', parts.scim);
  if (parts.hosted) app.route('/', parts.hosted);
  return app;
}
