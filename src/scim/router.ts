// The SCIM 2.0 server, mounted at PUBLIC_URL/scim/v2 (RFC 7643/7644). Routes, relative to it:
//   GET                      /ServiceProviderConfig, /ResourceTypes[/:id], /Schemas[/:id]
//   GET, POST; POST /.search /Users, /Groups   (filter, startIndex, count, attributes, excludedAttributes)
//   GET, PUT, PATCH, DELETE  /Users/:id, /Groups/:id   (weak ETags; If-Match honoured)
// Every answer, errors included, is application/scim+json; an unknown path under /scim/v2 is a
// SCIM 404. Threats handled in this file:
//   - token guessing: failed authentications spend a per-source budget (429 once it is spent);
//   - one directory flooding the instance: each directory has a request budget per minute;
//   - oversized bodies: a per-route limit before any JSON is parsed;
//   - reaching another directory: the directory comes from the token alone (auth below), and
//     every query names it inside its organization's row-level-security transaction.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createFailureLimiter } from '../access/rate-limit.ts';
import { AppError } from '../core/errors.ts';
import type { ScimWriteDeps } from './apply.ts';
import { findDirectoryByToken } from './directories.ts';
import type { DiscoveryOptions } from '../../protocols/scim/discovery.ts';
import { ScimError } from '../../protocols/scim/errors.ts';
import { mountGroups } from './groups.ts';
import { discoveryRoutes } from '../../protocols/scim/http.ts';
import { scimErrorResponse, type ScimEnv } from './http.ts';
import { mountUsers } from './users.ts';

export const SCIM_MOUNT_PATH = '/scim/v2';

/** What ServiceProviderConfig states for this server: users keep a version, so ETags are real. */
const DISCOVERY: DiscoveryOptions = {
  documentationUri: 'docs/scim.md',
  etagSupported: true,
  tokenDescription: "The directory's SCIM bearer token, shown once when it is created or rotated",
};

export interface ScimRouterOptions {
  publicUrl: string;
  /** Requests per minute one directory may make (SCIM_RATE_LIMIT_PER_MINUTE). */
  ratePerMinute: number;
  /** Largest body accepted (SCIM_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  clock?: () => number;
  /** The client's address, for the failed-authentication budget (the app's trusted-proxy aware reader). */
  sourceOf?: (c: Context) => string;
  /** Told of a failure answered 500 (the body says only "Internal error"). */
  onInternalError?: (error: unknown) => void;
}

export function scimBaseUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}${SCIM_MOUNT_PATH}`;
}

function authenticate(deps: ScimWriteDeps, options: ScimRouterOptions): MiddlewareHandler<ScimEnv> {
  const clock = options.clock ? { clock: options.clock } : {};
  const failures = createFailureLimiter({ burst: 20, refillPerSecond: 20 / 60, ...clock });
  // A budget refilled per minute, with ten seconds' worth available at once.
  const perDirectory = createFailureLimiter({
    burst: Math.max(10, Math.ceil(options.ratePerMinute / 6)),
    refillPerSecond: options.ratePerMinute / 60,
    ...clock,
  });
  return async (c, next) => {
    const source = options.sourceOf?.(c) ?? 'unknown';
    const wait = failures.retryAfter(source);
    if (wait > 0)
      throw new AppError('RATE_LIMITED', 'Too many failed SCIM authentications', { details: { retryAfter: wait } });
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const directory = token ? await findDirectoryByToken(deps.db, token) : null;
    if (!directory) {
      failures.fail(source);
      throw new AppError('SCIM_TOKEN_INVALID', 'Send the directory SCIM bearer token');
    }
    const busy = perDirectory.retryAfter(directory.directoryId);
    if (busy > 0)
      throw new AppError('RATE_LIMITED', 'Too many SCIM requests for this directory', {
        details: { retryAfter: busy },
      });
    perDirectory.fail(directory.directoryId);
    c.set('directory', directory);
    c.set('base', scimBaseUrl(options.publicUrl));
    await next();
  };
}

export function createScimRoutes(deps: ScimWriteDeps, options: ScimRouterOptions): Hono<ScimEnv> {
  const app = new Hono<ScimEnv>();
  app.use(
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => {
        throw new AppError('REQUEST_TOO_LARGE', 'The SCIM request body is too large');
      },
    }),
  );
  app.use(authenticate(deps, options));

  for (const [path, handler] of Object.entries(discoveryRoutes(DISCOVERY))) app.get(path, handler);

  mountUsers(app, deps);
  mountGroups(app, deps);

  // Mounted inside the main app, its not-found handler would answer problem+json: every unknown
  // path under /scim/v2 stays a SCIM error (after authentication, so it reveals nothing).
  app.all('*', (c) => scimErrorResponse(new ScimError(404, `No SCIM endpoint ${c.req.method} ${c.req.path}`)));
  app.onError((error) => {
    const response = scimErrorResponse(error);
    if (response.status >= 500) options.onInternalError?.(error);
    return response;
  });
  return app;
}
