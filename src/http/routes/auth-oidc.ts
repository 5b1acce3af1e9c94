// The direct OIDC sign-in (AUTH_PROVIDER=oidc): GET/POST /auth/sso (home-realm discovery: the
// email's domain, or the organization named, picks the connection) and GET /auth/oidc/callback
// (the code redeemed at that connection, then exactly one response type through the same sign-in
// service, organization picker and pages as every other mode).
//
// Threats: login CSRF and code injection — the state in the URL must equal the one sealed in this
// browser's login cookie, the code redeems only with this browser's PKCE verifier, and the ID
// token must carry this browser's nonce. Mix-up — the sealed state names the connection; the code
// is redeemed only there and the response's `iss` must be that connection's issuer (RFC 9207). An
// SSO sign-in counted for the wrong organization — the binding recorded is the sealed connection
// and its organization, never anything the provider or the request says.
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../logger.ts';
import { randomToken, safeReturnTo, sameState, type LoginState, type Sealer } from '../../identity/login-state.ts';
import type { OidcClients } from '../../identity/oidc/oidc-client.ts';
import type { OidcConnection, OidcConnections } from '../../identity/oidc/oidc-connections.ts';
import type { OidcIdentityProvider } from '../../identity/oidc/oidc-provider.ts';
import { OIDC_CALLBACK_PATH } from '../../identity/oidc/oidc-sign-in.ts';
import type { CallbackResult, SignInService } from '../../identity/sign-in.ts';
import { continueToProviderPage, ssoSignInPage } from '../../web/sign-in/pages.ts';
import {
  clearStateCookie,
  readInput,
  readStateCookie,
  requestMeta,
  respond,
  resultOfProviderError,
  setStateCookie,
  STATE_TTL_MS,
  wantsJson,
} from './auth-respond.ts';

/** The login state of a direct OIDC sign-in: the WorkOS one plus the nonce, and always its connection. */
interface OidcLoginState extends LoginState {
  nonce: string;
  connection: { connectionId: string; organizationId: string };
}

export interface OidcRoutesDeps {
  provider: OidcIdentityProvider;
  connections: Pick<OidcConnections, 'forEmail' | 'forOrganization' | 'get' | 'endpoint'>;
  clients: Pick<OidcClients, 'authorizationUrl' | 'redeem'>;
  signIn: SignInService;
  sealer: Sealer;
  publicUrl: string;
  /** Email codes for addresses no connection serves (LOCAL_EMAIL_CODE=on). */
  emailCodes: boolean;
  logger: Logger;
}

const Email = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an email address');
const StartQuery = z.object({
  email: Email.optional(),
  organizationId: z
    .string()
    .regex(/^org_[A-Za-z0-9]{1,64}$/)
    .optional(),
  returnTo: z.string().max(2048).optional(),
});
const StartBody = z.object({ email: Email, returnTo: z.string().max(2048).optional() });
const CallbackQuery = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

export function oidcRoutes(deps: OidcRoutesDeps): Hono {
  const app = new Hono();
  const { publicUrl } = deps;
  const redirectUri = `${publicUrl}${OIDC_CALLBACK_PATH}`;

  /** The validated same-origin path: the request's, else the /auth/login attempt's, else "/". */
  const returnToOf = (c: Context, given: string | undefined) => {
    const fromRequest = given ? safeReturnTo(given, publicUrl) : null;
    if (fromRequest) return fromRequest;
    const login = deps.sealer.open<LoginState>('login', readStateCookie(c, publicUrl, 'login'));
    return login.ok ? login.value.returnTo : '/';
  };

  /** To the connection's identity provider, with a fresh state, nonce and PKCE verifier sealed here. */
  async function start(c: Context, connection: OidcConnection, returnTo: string, loginHint?: string, viaForm = false) {
    const state: OidcLoginState = {
      state: randomToken(),
      codeVerifier: randomToken(48),
      nonce: randomToken(),
      returnTo,
      connection: { connectionId: connection.id, organizationId: connection.organizationId },
    };
    const url = await deps.clients.authorizationUrl(await deps.connections.endpoint(connection), {
      redirectUri,
      state: state.state,
      nonce: state.nonce,
      codeChallenge: createHash('sha256').update(state.codeVerifier).digest('base64url'),
      loginHint,
    });
    setStateCookie(c, publicUrl, 'login', deps.sealer.seal('login', state, STATE_TTL_MS));
    c.header('cache-control', 'no-store');
    if (wantsJson(c)) return c.json({ authorizationUrl: url });
    if (viaForm) return c.html(continueToProviderPage({ url }));
    return c.redirect(url, 302);
  }

  /** No connection serves this address: an email code when those are on, else a clear refusal. */
  function noConnection(c: Context, email: string | undefined, returnTo: string, viaPost: boolean) {
    if (deps.emailCodes) {
      // 307 keeps the method and body: the posted email (and returnTo) go on to ask for a code.
      if (viaPost) return c.redirect('/auth/email', 307);
      const q = new URLSearchParams({ ...(email ? { email } : {}), ...(returnTo !== '/' ? { returnTo } : {}) });
      return c.redirect(`/auth/email${q.size ? `?${q}` : ''}`, 302);
    }
    throw new AppError('AUTH_OIDC_NO_CONNECTION', 'No single sign-on is set up for this email address');
  }

  app.get('/auth/sso', async (c) => {
    const parsed = StartQuery.safeParse(c.req.query());
    const q = parsed.success ? parsed.data : {};
    const returnTo = returnToOf(c, q.returnTo);
    if (q.organizationId) {
      const connection = await deps.connections.forOrganization(q.organizationId);
      if (connection) return start(c, connection, returnTo, q.email);
      return noConnection(c, q.email, returnTo, false);
    }
    if (q.email) {
      const connection = await deps.connections.forEmail(q.email);
      if (connection) return start(c, connection, returnTo, q.email);
    }
    c.header('cache-control', 'no-store');
    return c.html(ssoSignInPage({ email: q.email, returnTo }));
  });

  app.post('/auth/sso', async (c) => {
    const body = await readInput(c, StartBody);
    const returnTo = returnToOf(c, body.returnTo);
    const connection = await deps.connections.forEmail(body.email);
    if (connection) return start(c, connection, returnTo, body.email, true);
    if (!deps.emailCodes && !wantsJson(c)) {
      c.header('cache-control', 'no-store');
      return c.html(
        ssoSignInPage({ email: body.email, returnTo, error: 'No single sign-on is set up for this email address.' }),
        404,
      );
    }
    return noConnection(c, body.email, returnTo, true);
  });

  app.get(OIDC_CALLBACK_PATH, async (c) => {
    const parsed = CallbackQuery.safeParse(c.req.query());
    const q = parsed.success ? parsed.data : {};
    const opened = deps.sealer.open<Partial<OidcLoginState>>('login', readStateCookie(c, publicUrl, 'login'));
    // Whatever happens next, this login state is spent: a second callback with it finds nothing.
    clearStateCookie(c, publicUrl, 'login');
    const returnTo = opened.ok ? (opened.value.returnTo ?? '/') : '/';
    const result = await callback(c, q, opened);
    return respond(c, result, returnTo);
  });

  async function callback(
    c: Context,
    q: z.output<typeof CallbackQuery>,
    opened: ReturnType<Sealer['open']>,
  ): Promise<CallbackResult> {
    if (!opened.ok) {
      return opened.reason === 'expired'
        ? { responseType: 'LINK_EXPIRED', reason: 'state_expired' }
        : { responseType: 'LINK_INVALID', reason: opened.reason === 'missing' ? 'state_missing' : 'state_invalid' };
    }
    const sealed = opened.value as Partial<OidcLoginState>;
    if (!sealed.nonce || !sealed.connection || !sealed.state || !sealed.codeVerifier)
      return { responseType: 'LINK_INVALID', reason: 'state_invalid' };
    // A state from another browser or another attempt: possibly an injected code. Never redeem it.
    if (!q.state || !sameState(q.state, sealed.state))
      return { responseType: 'LINK_INVALID', reason: 'state_mismatch' };
    if (q.error)
      return { responseType: 'LINK_INVALID', reason: q.error === 'access_denied' ? 'access_denied' : 'provider_error' };
    if (!q.code) return { responseType: 'LINK_INVALID', reason: 'code_missing' };
    const connection = await deps.connections.get(sealed.connection.connectionId);
    // Removed meanwhile, or (never by us) moved: the sealed organization must still own it.
    if (!connection || connection.organizationId !== sealed.connection.organizationId)
      return { responseType: 'LINK_INVALID', reason: 'connection_removed' };
    try {
      const callbackUrl = new URL(`${redirectUri}${new URL(c.req.url).search}`);
      const claims = await deps.clients.redeem(await deps.connections.endpoint(connection), callbackUrl, {
        state: sealed.state,
        nonce: sealed.nonce,
        codeVerifier: sealed.codeVerifier,
      });
      const outcome = await deps.provider.signInWithClaims(connection, claims);
      if (outcome.kind === 'refused') {
        deps.logger.warn({ connectionId: connection.id, reason: outcome.reason }, 'OIDC sign-in refused');
        return { responseType: 'LINK_INVALID', reason: outcome.reason };
      }
      return await deps.signIn.complete(outcome, {
        returnTo: sealed.returnTo ?? '/',
        ...requestMeta(c),
        source: 'code',
        connection: { connectionId: connection.id, organizationId: connection.organizationId },
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'AUTH_OIDC_REJECTED') {
        const reason = String(error.details?.reason ?? 'id_token_invalid');
        deps.logger.warn({ connectionId: connection.id, reason }, 'OIDC sign-in refused');
        return { responseType: 'LINK_INVALID', reason };
      }
      const asResult = resultOfProviderError(error);
      if (asResult) return asResult;
      throw error;
    }
  }

  return app;
}
