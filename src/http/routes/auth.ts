// The sign-in routes: GET /auth/login (to AuthKit with a browser-bound state and PKCE),
// GET /auth/callback (code exchange, ending in exactly one response type) and
// POST /auth/organization-selection (our own organization picker's answer).
// Account routes (logout, switch organization, password reset) live in auth-account.ts.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError, requestInvalid } from '../../core/errors.ts';
import {
  randomToken,
  safeReturnTo,
  sameState,
  type ChosenConnection,
  type LoginState,
  type PendingSelection,
  type Sealer,
} from '../../identity/login-state.ts';
import { organizationExists } from '../../mirror/sign-in-copy.ts';
import type { IdentityProvider } from '../../identity/provider.ts';
import type { CallbackResult, SignInService } from '../../identity/sign-in.ts';
import type { SsoService } from '../../sso/sso-config.ts';
import type { Database } from '../../store/schema.ts';
import { providerUnavailablePage } from '../../web/sign-in/pages.ts';
import {
  SELECT_ORGANIZATION_PATH,
  STATE_TTL_MS,
  clearStateCookie,
  readInput,
  readStateCookie,
  requestMeta,
  respond,
  resultOfProviderError,
  setStateCookie,
  wantsJson,
} from './auth-respond.ts';

export interface AuthRoutesDeps {
  db: Kysely<Database>;
  provider: IdentityProvider;
  signIn: SignInService;
  sso: Pick<SsoService, 'getSsoConfig'>;
  sealer: Sealer;
  publicUrl: string;
  redirectUri: string;
}

const ORG_ID = /^org_[A-Za-z0-9]{1,64}$/;

const LoginQuery = z.object({
  returnTo: z.string().max(2048).optional(),
  organizationId: z.string().regex(ORG_ID, 'expected an organization id (org_…)').optional(),
  loginHint: z
    .string()
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address')
    .optional(),
  screenHint: z.enum(['sign-in', 'sign-up']).optional(),
  // Accepting an invitation through our own sign-in, so the invitee comes back here signed in.
  invitationToken: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'expected an invitation token')
    .optional(),
});

const CallbackQuery = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

const SelectionBody = z.object({ organizationId: z.string().regex(ORG_ID, 'expected an organization id (org_…)') });

function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) {
    throw requestInvalid('query', result.error.issues, 'Invalid query parameters');
  }
  return result.data;
}

export function authRoutes(deps: AuthRoutesDeps): Hono {
  const app = new Hono();
  const { publicUrl } = deps;

  app.get('/auth/login', async (c) => {
    const q = parseQuery(LoginQuery, c.req.query());
    const returnTo = safeReturnTo(q.returnTo, publicUrl);
    if (returnTo === null) {
      throw new AppError('REQUEST_INVALID', 'returnTo must be a path on this site', {
        details: { errors: [{ path: 'query.returnTo', message: 'expected a same-origin path such as /admin' }] },
      });
    }
    let connectionId: string | undefined;
    if (q.organizationId) {
      const org = await organizationExists(deps.db, q.organizationId);
      if (!org || org.deleted) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
      // An organization with SSO configured signs in through exactly that connection.
      const sso = await deps.sso.getSsoConfig(q.organizationId);
      if (sso.enabled && sso.connectionId) connectionId = sso.connectionId;
    }
    const state: LoginState = {
      state: randomToken(),
      codeVerifier: randomToken(48),
      returnTo,
      ...(connectionId && q.organizationId ? { connection: { connectionId, organizationId: q.organizationId } } : {}),
    };
    const codeChallenge = createHash('sha256').update(state.codeVerifier).digest('base64url');
    const url = deps.provider.authorizationUrl({
      redirectUri: deps.redirectUri,
      state: state.state,
      codeChallenge,
      organizationId: q.organizationId,
      connectionId,
      loginHint: q.loginHint,
      screenHint: q.screenHint,
      invitationToken: q.invitationToken,
    });
    setStateCookie(c, publicUrl, 'login', deps.sealer.seal('login', state, STATE_TTL_MS));
    c.header('cache-control', 'no-store');
    if (wantsJson(c)) return c.json({ authorizationUrl: url });
    return c.redirect(url, 302);
  });

  // A provider outage has no response type (nothing is known yet): JSON clients get the
  // retryable problem document, browsers a page that says to try again.
  app.onError((error, c) => {
    if (error instanceof AppError && error.retryable && !wantsJson(c)) {
      c.header('cache-control', 'no-store');
      return c.html(providerUnavailablePage(), 503);
    }
    throw error;
  });

  app.get('/auth/callback', async (c) => {
    const q = parseQuery(CallbackQuery, c.req.query());
    const opened = deps.sealer.open<LoginState>('login', readStateCookie(c, publicUrl, 'login'));
    // Whatever happens next, this login state is spent: a second callback with it finds nothing.
    clearStateCookie(c, publicUrl, 'login');
    const fallback = opened.ok ? opened.value.returnTo : '/';
    let result: CallbackResult;
    if (!opened.ok) {
      result =
        opened.reason === 'expired'
          ? { responseType: 'LINK_EXPIRED', reason: 'state_expired' }
          : { responseType: 'LINK_INVALID', reason: opened.reason === 'missing' ? 'state_missing' : 'state_invalid' };
    } else if (!q.state || !sameState(q.state, opened.value.state)) {
      // A state from another browser or another attempt: possibly an injected code. Never redeem it.
      result = { responseType: 'LINK_INVALID', reason: 'state_mismatch' };
    } else if (q.error) {
      result = {
        responseType: 'LINK_INVALID',
        reason: q.error === 'access_denied' ? 'access_denied' : 'provider_error',
      };
    } else if (!q.code) {
      result = { responseType: 'LINK_INVALID', reason: 'code_missing' };
    } else {
      const meta = {
        ...requestMeta(c),
        source: 'code' as const,
        ...(opened.value.connection ? { connection: opened.value.connection } : {}),
      };
      result = await exchange(
        deps,
        () =>
          deps.provider.authenticateWithCode({
            code: q.code!,
            codeVerifier: opened.value.codeVerifier,
            ...requestMeta(c),
          }),
        fallback,
        meta,
      );
    }
    if (result.responseType === 'ORGANIZATION_SELECTION_REQUIRED') {
      const connection = opened.ok ? opened.value.connection : undefined;
      const pending: PendingSelection = {
        pendingToken: result.pendingToken,
        userId: result.userId,
        email: result.email,
        organizations: result.organizations,
        returnTo: fallback,
        ...(connection ? { connection } : {}),
      };
      setStateCookie(c, publicUrl, 'pending', deps.sealer.seal('pending', pending, STATE_TTL_MS));
    }
    return respond(c, result, fallback);
  });

  app.post(SELECT_ORGANIZATION_PATH, async (c) => {
    const body = await readInput(c, SelectionBody);
    const opened = deps.sealer.open<PendingSelection>('pending', readStateCookie(c, publicUrl, 'pending'));
    if (!opened.ok) {
      clearStateCookie(c, publicUrl, 'pending');
      const result: CallbackResult =
        opened.reason === 'expired'
          ? { responseType: 'LINK_EXPIRED', reason: 'selection_expired' }
          : {
              responseType: 'LINK_INVALID',
              reason: opened.reason === 'missing' ? 'selection_missing' : 'selection_invalid',
            };
      return respond(c, result, '/');
    }
    const pending = opened.value;
    // Only an organization the provider offered this user; anything else is unknown to us.
    if (!pending.organizations.some((o) => o.id === body.organizationId))
      throw new AppError('RESOURCE_NOT_FOUND', 'No such organization to choose');
    clearStateCookie(c, publicUrl, 'pending');
    const meta = {
      ...requestMeta(c),
      source: 'selection' as const,
      ...(pending.connection ? { connection: pending.connection } : {}),
    };
    const result = await exchange(
      deps,
      () =>
        deps.provider.authenticateWithOrganizationSelection({
          pendingToken: pending.pendingToken,
          organizationId: body.organizationId,
          ...meta,
        }),
      pending.returnTo,
      meta,
    );
    if (result.responseType === 'ORGANIZATION_SELECTION_REQUIRED') {
      setStateCookie(
        c,
        publicUrl,
        'pending',
        deps.sealer.seal('pending', { ...pending, pendingToken: result.pendingToken }, STATE_TTL_MS),
      );
    }
    return respond(c, result, pending.returnTo);
  });

  return app;
}

async function exchange(
  deps: AuthRoutesDeps,
  call: () => ReturnType<IdentityProvider['authenticateWithCode']>,
  returnTo: string,
  meta: ReturnType<typeof requestMeta> & { connection?: ChosenConnection; source: 'code' | 'selection' },
): Promise<CallbackResult> {
  try {
    return await deps.signIn.complete(await call(), { returnTo, ...meta });
  } catch (error) {
    const asResult = resultOfProviderError(error);
    if (asResult) return asResult;
    throw error;
  }
}
