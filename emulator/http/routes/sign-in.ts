// Sign-in protocol endpoints: AuthKit authenticate/authorize/logout, session revocation, the
// JWKS, the SSO authorize/token/profile exchange, and M2M client credentials.
import { Hono, type Context } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, query } from '../request.ts';
import { authenticate } from '../../services/authenticate.ts';
import { logout, revokeSession } from '../../services/sessions.ts';
import { parseInput } from '../../services/input.ts';
import { z } from 'zod';
import {
  authorizationErrorRedirect,
  completeAuthorization,
  completeSsoAuthorization,
  parseAuthorizeRequest,
  resolveAuthorizeConnection,
  type AuthorizeRequest,
} from '../../services/authorize.ts';
import { ssoUserSignIn } from '../../services/test-idp.ts';
import { exchangeSsoCode, getSsoProfile } from '../../services/sso.ts';
import { authorizeSsoLogout, completeSsoLogout } from '../../services/sso-logout.ts';
import { startDeviceAuthorization } from '../../services/device-authorization.ts';
import { clientCredentialsToken } from '../../services/m2m.ts';
import { EmulatorError } from '../../services/errors.ts';

export interface SignInRouteOptions {
  /** True when emulator/hosted serves the interactive pages; otherwise only `login_hint` sign-ins work. */
  hostedPages: boolean;
}

/**
 * Non-interactive test IdP: with a `login_hint`, and either `prompt=none` or no hosted pages
 * installed, the IdP signs that email in at once. Tests and headless demos use this.
 */
function autoSignIn(req: AuthorizeRequest, options: SignInRouteOptions): boolean {
  return req.login_hint !== null && (req.prompt === 'none' || !options.hostedPages);
}

function noHostedPages(c: Context): Response {
  return c.json(
    {
      message:
        'Interactive sign-in pages are not installed in this emulator; pass login_hint for the non-interactive test IdP.',
    },
    404,
  );
}

export function signInRoutes(ctx: EmulatorContext, options: SignInRouteOptions): Hono {
  const app = new Hono();
  const RevokeInput = z.object({ session_id: z.string().min(1) });

  app.post('/user_management/authenticate', async (c) => c.json(await authenticate(ctx, await readBody(c))));
  app.post('/user_management/sessions/revoke', async (c) => {
    revokeSession(ctx, parseInput(RevokeInput, await readBody(c)).session_id);
    return c.body(null, 200);
  });
  app.get('/user_management/sessions/logout', (c) => {
    const sessionId = query(c, 'session_id');
    if (!sessionId)
      throw new EmulatorError(422, {
        code: 'invalid_request_parameters',
        message: 'session_id is required.',
        errors: [{ field: 'session_id', code: 'required' }],
      });
    return c.redirect(logout(ctx, sessionId, query(c, 'return_to')), 302);
  });

  // Falls through to the hosted pages (mounted after this) unless the test IdP can answer alone.
  app.get('/user_management/authorize', async (c, next) => {
    const req = parseAuthorizeRequest(ctx, c.req.query());
    const connection = resolveAuthorizeConnection(ctx, req);
    if (connection && autoSignIn(req, options)) {
      try {
        return c.redirect(
          completeAuthorization(ctx, req, ssoUserSignIn(ctx, connection, { email: req.login_hint! })),
          302,
        );
      } catch (error) {
        if (!(error instanceof EmulatorError) || error.body.code !== 'profile_not_allowed_outside_organization')
          throw error;
        return c.redirect(authorizationErrorRedirect(req, error.body.code, error.message), 302);
      }
    }
    if (options.hostedPages) return next();
    return noHostedPages(c);
  });

  app.get('/sso/authorize', async (c, next) => {
    const req = parseAuthorizeRequest(ctx, c.req.query());
    const connection = resolveAuthorizeConnection(ctx, req);
    if (!connection)
      throw new EmulatorError(422, {
        code: 'invalid_request_parameters',
        message: 'No active SSO connection for this request.',
        errors: [{ field: 'connection', code: 'connection_not_found' }],
      });
    if (autoSignIn(req, options))
      return c.redirect(completeSsoAuthorization(ctx, req, connection, { email: req.login_hint! }), 302);
    if (options.hostedPages) return next();
    return noHostedPages(c);
  });

  app.post('/user_management/authorize/device', async (c) => c.json(startDeviceAuthorization(ctx, await readBody(c))));
  app.post('/sso/logout/authorize', async (c) => c.json(authorizeSsoLogout(ctx, await readBody(c))));
  app.get('/sso/logout', (c) => {
    completeSsoLogout(ctx, query(c, 'token'));
    return c.body(null, 200);
  });
  app.post('/sso/token', async (c) => c.json(exchangeSsoCode(ctx, await readBody(c))));
  app.get('/sso/profile', (c) => {
    const header = c.req.header('authorization') ?? '';
    return c.json(getSsoProfile(ctx, /^Bearer\s+(.+)$/i.exec(header)?.[1]));
  });
  app.get('/sso/jwks/:clientId', (c) => {
    if (c.req.param('clientId') !== ctx.config.clientId) return c.json({ message: 'Not found' }, 404);
    return c.json(ctx.keys.jwks());
  });
  app.post('/oauth2/token', async (c) => c.json(await clientCredentialsToken(ctx, await readBody(c))));
  return app;
}
