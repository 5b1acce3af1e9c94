// Account routes around a session: POST /auth/logout (ends our session and the WorkOS one),
// POST /auth/switch-organization, password reset request and confirmation (with their forms),
// and the signed-out page. Every POST here passes the CSRF check mounted on the app.
import { sameOriginUrl } from '../../core/redirect-target.ts';
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ActingActor } from '../../audit/actor.ts';
import { appendAuditEvent } from '../../audit/audit-log.ts';
import { AppError } from '../../core/errors.ts';
import { safeReturnTo } from '../../identity/login-state.ts';
import type { IdentityProvider } from '../../identity/provider.ts';
import { switchOrganization } from '../../identity/switch-organization.ts';
import type { Logger } from '../../logger.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import { readCookie } from '../../core/cookie.ts';
import type { Database } from '../../store/schema.ts';
import { inTenant } from '../../store/tenant.ts';
import { passwordResetConfirmPage, passwordResetRequestPage, signedOutPage } from '../../web/sign-in/pages.ts';
import { readInput, respond, wantsJson } from './auth-respond.ts';

export interface AccountRoutesDeps {
  db: Kysely<Database>;
  provider: IdentityProvider;
  sessions: Pick<SessionService, 'resolve' | 'revoke' | 'cookie' | 'switchOrganization'>;
  publicUrl: string;
  logger: Logger;
}

const SwitchBody = z.object({
  organizationId: z.string().regex(/^org_[A-Za-z0-9]{1,64}$/, 'expected an organization id (org_…)'),
  returnTo: z.string().max(2048).optional(),
});
const ResetBody = z.object({
  email: z
    .string()
    .trim()
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address'),
});
const ConfirmBody = z.object({
  token: z.string().min(1).max(512),
  newPassword: z.string().min(8, 'use at least 8 characters').max(256),
});

export function accountRoutes(deps: AccountRoutesDeps): Hono {
  const app = new Hono();
  const cookieOf = (c: Context) => readCookie(c.req.header('cookie'), deps.sessions.cookie.name);

  app.post('/auth/logout', async (c) => {
    const resolved = await deps.sessions.resolve(cookieOf(c));
    let logoutUrl: string | null = null;
    if (resolved.ok) {
      const { session } = resolved;
      const actor: ActingActor = {
        type: 'user',
        id: session.userId,
        ...(session.impersonator ? { impersonator: session.impersonator } : {}),
      };
      await deps.sessions.revoke(session.id, actor, 'signed_out');
      await inTenant(deps.db, session.organizationId, (tx) =>
        appendAuditEvent(tx, {
          organizationId: session.organizationId,
          type: 'auth.signed_out',
          actor,
          target: { type: 'session', id: session.id },
          data: {},
        }),
      );
      if (session.workosSessionId) {
        // Server-side first, so the WorkOS session ends even if the browser never follows the redirect.
        await deps.provider
          .revokeSession(session.workosSessionId)
          .catch((error: unknown) =>
            deps.logger.warn({ code: (error as AppError).code }, 'could not end the provider session at logout'),
          );
        logoutUrl = deps.provider.logoutUrl({
          providerSessionId: session.workosSessionId,
          returnTo: sameOriginUrl('/auth/signed-out', deps.publicUrl) ?? undefined,
        });
      }
    }
    // Signing out twice, or with a dead cookie, is not an error: the end state is the same.
    c.header('set-cookie', deps.sessions.cookie.clear(), { append: true });
    c.header('cache-control', 'no-store');
    if (wantsJson(c)) return c.json({ signedOut: true, logoutUrl });
    return c.redirect(logoutUrl ?? '/auth/signed-out', 303);
  });

  app.get('/auth/signed-out', (c) => c.html(signedOutPage()));

  app.post('/auth/switch-organization', async (c) => {
    const body = await readInput(c, SwitchBody);
    const returnTo = safeReturnTo(body.returnTo, deps.publicUrl);
    if (returnTo === null)
      throw new AppError('REQUEST_INVALID', 'returnTo must be a path on this site', {
        details: { errors: [{ path: 'returnTo', message: 'expected a same-origin path' }] },
      });
    const resolved = await deps.sessions.resolve(cookieOf(c));
    if (!resolved.ok)
      throw new AppError('AUTH_REQUIRED', 'Sign in first', {
        details: { wwwAuthenticate: 'Cookie realm="gatehouse"' },
      });
    const result = await switchOrganization(deps, resolved.session, body.organizationId, returnTo);
    return respond(c, result, returnTo);
  });

  app.get('/auth/password-reset', (c) => c.html(passwordResetRequestPage()));

  app.post('/auth/password-reset', async (c) => {
    const { email } = await readInput(c, ResetBody);
    // The same answer for known and unknown addresses (the adapter swallows "no such user").
    await deps.provider.createPasswordReset(email.toLowerCase());
    c.header('cache-control', 'no-store');
    if (wantsJson(c))
      return c.json(
        { status: 'requested', message: 'If an account uses that address, it will receive a reset link.' },
        202,
      );
    return c.html(passwordResetRequestPage({ sent: true }), 202);
  });

  app.get('/auth/password-reset/confirm', (c) => {
    c.header('cache-control', 'no-store');
    return c.html(passwordResetConfirmPage({ token: (c.req.query('token') ?? '').slice(0, 512) }));
  });

  app.post('/auth/password-reset/confirm', async (c) => {
    const body = await readInput(c, ConfirmBody);
    try {
      await deps.provider.resetPassword({ token: body.token, newPassword: body.newPassword });
    } catch (error) {
      if (!(error instanceof AppError) || wantsJson(c)) throw error;
      const message =
        error.code === 'PROVIDER_INVALID_REQUEST'
          ? 'That password was not accepted; choose a stronger one.'
          : error.code.startsWith('PROVIDER_GRANT') || error.code === 'PROVIDER_NOT_FOUND'
            ? 'This reset link is invalid or has expired. Request a new one.'
            : null;
      if (!message) throw error;
      return c.html(passwordResetConfirmPage({ token: body.token, error: message }), error.status as 400);
    }
    if (wantsJson(c)) return c.json({ status: 'password_reset' });
    return c.html(passwordResetConfirmPage({ token: '', done: true }));
  });

  return app;
}
