// Everything under /auth/*, assembled: the per-address rate limit, the sign-in routes and the
// account routes. Built without I/O from parts the composition root opened.
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { createSealer } from '../../identity/login-state.ts';
import type { IdentityProvider } from '../../identity/provider.ts';
import type { SignInService } from '../../identity/sign-in.ts';
import type { Logger } from '../../logger.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import type { SsoService } from '../../sso/sso-config.ts';
import type { Database } from '../../store/schema.ts';
import { rateLimit, type RateLimitOptions } from '../middleware/rate-limit.ts';
import { accountRoutes } from './auth-account.ts';
import { authRoutes } from './auth.ts';
import { emailRoutes, type EmailRoutesDeps } from './auth-email.ts';
import { oidcRoutes, type OidcRoutesDeps } from './auth-oidc.ts';

export interface SignInRoutesDeps {
  db: Kysely<Database>;
  provider: IdentityProvider;
  signIn: SignInService;
  sessions: Pick<SessionService, 'create' | 'resolve' | 'revoke' | 'cookie' | 'switchOrganization'>;
  sso: Pick<SsoService, 'getSsoConfig'>;
  /** GATEHOUSE_SECRET, then GATEHOUSE_PREVIOUS_SECRETS: seal and open the login-state cookies. */
  secrets: readonly string[];
  publicUrl: string;
  redirectUri: string;
  logger: Logger;
  rateLimit?: RateLimitOptions | false;
  /** AUTH_PROVIDER=local: the email-code routes (auth-email.ts). */
  email?: Pick<EmailRoutesDeps, 'provider' | 'codes' | 'mailer'> | undefined;
  /** AUTH_PROVIDER=oidc: home-realm discovery and the OIDC callback (auth-oidc.ts). */
  oidc?: Pick<OidcRoutesDeps, 'provider' | 'connections' | 'clients'> | undefined;
  clock?: () => number;
}

export function createSignInRoutes(deps: SignInRoutesDeps): Hono {
  const app = new Hono();
  if (deps.rateLimit !== false) app.use('/auth/*', rateLimit(deps.rateLimit ?? {}));
  const sealer = createSealer(deps.secrets, deps.clock);
  app.route(
    '/',
    authRoutes({
      db: deps.db,
      provider: deps.provider,
      signIn: deps.signIn,
      sso: deps.sso,
      sealer,
      publicUrl: deps.publicUrl,
      redirectUri: deps.redirectUri,
    }),
  );
  if (deps.email)
    app.route(
      '/',
      emailRoutes({ ...deps.email, signIn: deps.signIn, sealer, publicUrl: deps.publicUrl, logger: deps.logger }),
    );
  if (deps.oidc)
    app.route(
      '/',
      oidcRoutes({
        ...deps.oidc,
        signIn: deps.signIn,
        sealer,
        publicUrl: deps.publicUrl,
        emailCodes: Boolean(deps.email),
        logger: deps.logger,
      }),
    );
  app.route(
    '/',
    accountRoutes({
      db: deps.db,
      provider: deps.provider,
      sessions: deps.sessions,
      publicUrl: deps.publicUrl,
      logger: deps.logger,
    }),
  );
  return app;
}
