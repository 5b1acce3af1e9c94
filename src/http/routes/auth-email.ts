// The built-in email sign-in (AUTH_PROVIDER=local): GET/POST /auth/email (ask for a one-time
// code), GET /auth/email/verify (the magic link: the code form, pre-filled) and POST
// /auth/email/verify (redeem the code; then exactly one response type through the same sign-in
// service, organization picker and pages as WorkOS mode).
//
// Threat: account enumeration. POST /auth/email answers every well-formed address with the same
// status and body, after the same work (identity/local/email-codes.ts never looks at accounts),
// and the mail is handed to the mailer without waiting, so neither an SMTP server's speed nor its
// refusal of an unknown mailbox shows in the answer.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { EmailCodes } from '../../identity/local/email-codes.ts';
import { CODE_DIGITS } from '../../identity/local/email-codes.ts';
import type { LocalIdentityProvider } from '../../identity/local/local-provider.ts';
import { safeReturnTo, type LoginState, type PendingSelection, type Sealer } from '../../identity/login-state.ts';
import type { CallbackResult, SignInService } from '../../identity/sign-in.ts';
import type { Mailer } from '../../mail/mailer.ts';
import { emailCodePage, emailSignInPage } from '../../web/sign-in/pages.ts';
import { clientAddressOf, UNKNOWN_ADDRESS } from '../client-address.ts';
import {
  readInput,
  readStateCookie,
  requestMeta,
  respond,
  resultOfProviderError,
  setStateCookie,
  STATE_TTL_MS,
  wantsJson,
} from './auth-respond.ts';

export interface EmailRoutesDeps {
  provider: LocalIdentityProvider;
  codes: EmailCodes;
  signIn: SignInService;
  mailer: Pick<Mailer, 'send'>;
  sealer: Sealer;
  publicUrl: string;
  logger: Logger;
}

const Email = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an email address');
const ReturnTo = z.string().max(2048).optional();
const RequestBody = z.object({ email: Email, returnTo: ReturnTo });
const VerifyBody = z.object({
  email: Email,
  code: z
    .string()
    .trim()
    .regex(new RegExp(`^[0-9]{${CODE_DIGITS}}$`), `expected the ${CODE_DIGITS}-digit code`),
  returnTo: ReturnTo,
});
const LinkQuery = z.object({ email: Email.optional(), code: z.string().max(16).optional(), returnTo: ReturnTo });

export const EMAIL_CODE_SENT = { status: 'code_sent', verifyUrl: '/auth/email/verify' } as const;

export function emailRoutes(deps: EmailRoutesDeps): Hono {
  const app = new Hono();
  const { publicUrl } = deps;
  /** The validated same-origin path: the form's, else the /auth/login attempt's, else "/". */
  const returnToOf = (c: Context, given: string | undefined) => {
    const fromForm = given ? safeReturnTo(given, publicUrl) : null;
    if (fromForm) return fromForm;
    const login = deps.sealer.open<LoginState>('login', readStateCookie(c, publicUrl, 'login'));
    return login.ok ? login.value.returnTo : '/';
  };

  app.get('/auth/email', (c) => {
    const q = LinkQuery.safeParse(c.req.query());
    const email = q.success ? q.data.email : undefined;
    c.header('cache-control', 'no-store');
    return c.html(emailSignInPage({ email, returnTo: returnToOf(c, q.success ? q.data.returnTo : undefined) }));
  });

  app.post('/auth/email', async (c) => {
    const body = await readInput(c, RequestBody);
    const returnTo = returnToOf(c, body.returnTo);
    const address = clientAddressOf(c);
    const code = await deps.codes.issue(body.email, address === UNKNOWN_ADDRESS ? null : address);
    const link = new URL('/auth/email/verify', publicUrl);
    link.search = new URLSearchParams({
      email: body.email.toLowerCase(),
      code,
      ...(returnTo !== '/' ? { returnTo } : {}),
    }).toString();
    // Not awaited: the answer must not wait on (or reveal) the mail server. Failures are logged
    // without the code or the link.
    deps.mailer
      .send({
        to: body.email,
        subject: 'Your sign-in code',
        text:
          `Your sign-in code is ${code}. It works once and expires in 10 minutes.\n\n` +
          `Or open this link: ${link.toString()}\n\n` +
          'If you did not ask to sign in, ignore this message.',
      })
      .catch((error: unknown) => deps.logger.warn({ err: (error as Error).message }, 'sign-in code mail not sent'));
    c.header('cache-control', 'no-store');
    if (wantsJson(c)) return c.json(EMAIL_CODE_SENT, 200);
    return c.html(emailCodePage({ email: body.email, returnTo }), 200);
  });

  app.get('/auth/email/verify', (c) => {
    const q = LinkQuery.safeParse(c.req.query());
    const data = q.success ? q.data : {};
    c.header('cache-control', 'no-store');
    return c.html(emailCodePage({ email: data.email ?? '', code: data.code, returnTo: returnToOf(c, data.returnTo) }));
  });

  app.post('/auth/email/verify', async (c) => {
    const body = await readInput(c, VerifyBody);
    const returnTo = returnToOf(c, body.returnTo);
    const redeemed = await deps.codes.redeem(body.email, body.code);
    let result: CallbackResult;
    if (redeemed === 'invalid') result = { responseType: 'LINK_INVALID', reason: 'code_invalid' };
    else if (redeemed === 'expired') result = { responseType: 'LINK_EXPIRED', reason: 'code_expired' };
    else {
      const outcome = await deps.provider.signInByEmail(body.email);
      if (outcome.kind === 'refused')
        result = { responseType: 'MEMBERSHIP_DEACTIVATED', organizationId: null, reason: 'no_membership' };
      else {
        try {
          result = await deps.signIn.complete(outcome, { returnTo, ...requestMeta(c), source: 'code' });
        } catch (error) {
          const asResult = resultOfProviderError(error);
          if (!asResult) throw error;
          result = asResult;
        }
      }
    }
    if (result.responseType === 'ORGANIZATION_SELECTION_REQUIRED') {
      const pending: PendingSelection = {
        pendingToken: result.pendingToken,
        userId: result.userId,
        email: result.email,
        organizations: result.organizations,
        returnTo,
      };
      setStateCookie(c, publicUrl, 'pending', deps.sealer.seal('pending', pending, STATE_TTL_MS));
    }
    return respond(c, result, returnTo);
  });

  return app;
}
