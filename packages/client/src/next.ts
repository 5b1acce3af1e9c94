// Next.js. Route handlers: `export const GET = withGatehouse(client, async (request, { auth }) => ...,
// { permission: 'notes:read' })`. Middleware (middleware.ts): `export default gatehouseMiddleware(client,
// { signInUrl })` refuses API calls with 401 and sends page navigations to sign in. Both work on Web
// `Request`/`Response`, which is what Next.js hands them; no dependency on Next.js.
import type { GatehouseAuth, GatehouseClient } from './index.ts';
import { problemResponse } from './problem.ts';

export function withGatehouse<Ctx>(
  client: GatehouseClient,
  handler: (request: Request, context: Ctx & { auth: GatehouseAuth }) => Response | Promise<Response>,
  options: { permission?: string } = {},
) {
  return async (request: Request, context: Ctx): Promise<Response> => {
    let auth: GatehouseAuth;
    try {
      auth = await client.authenticate(request);
      if (options.permission) auth.require(options.permission);
    } catch (error) {
      return problemResponse(error);
    }
    return handler(request, { ...context, auth });
  };
}

/**
 * Returns undefined to let the request through (Next.js continues), a 401 problem for API calls,
 * or a redirect to `signInUrl` (with returnTo = the path) for page navigations.
 */
export function gatehouseMiddleware(client: GatehouseClient, options: { signInUrl: string }) {
  return async (request: Request): Promise<Response | undefined> => {
    try {
      await client.authenticate(request);
      return undefined;
    } catch (error) {
      const accept = request.headers.get('accept') ?? '';
      if (request.method === 'GET' && accept.includes('text/html')) {
        const url = new URL(request.url);
        const target = new URL(options.signInUrl);
        target.searchParams.set('returnTo', url.pathname + url.search);
        return Response.redirect(target.toString(), 302);
      }
      return problemResponse(error);
    }
  };
}
