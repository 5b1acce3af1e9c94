// Shared plumbing of the /auth/* routes: the sign-in cookies, reading form-or-JSON bodies, and
// turning a CallbackResult into its page or, for `Accept: application/json`, its JSON form
// `{ responseType, ... }`. The pending organization token never leaves the server except sealed
// inside its HttpOnly cookie.
import { sameOriginPath } from '../../core/redirect-target.ts';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { clearCookie, cookieFor, readCookie, serializeCookie } from '../../core/cookie.ts';
import { AppError, requestInvalid } from '../../core/errors.ts';
import type { SealPurpose } from '../../identity/login-state.ts';
import type { CallbackResult } from '../../identity/sign-in.ts';
import {
  linkExpiredPage,
  linkInvalidPage,
  loginSuccessfulPage,
  membershipDeactivatedPage,
  organizationPickerPage,
  ssoRequiredPage,
} from '../../web/sign-in/pages.ts';
import { readJson } from '../json-body.ts';
import { clientAddressOf, UNKNOWN_ADDRESS } from '../client-address.ts';

export const SELECT_ORGANIZATION_PATH = '/auth/organization-selection';
const STATE_TTL_SECONDS = 10 * 60;

export function wantsJson(c: Context): boolean {
  return /\bapplication\/json\b/i.test(c.req.header('accept') ?? '');
}

/** The sign-in state cookies, written by the one cookie codec (`__Host-` whenever PUBLIC_URL is https). */
function stateCookie(publicUrl: string, purpose: SealPurpose) {
  return cookieFor(purpose === 'login' ? 'gatehouse_login' : 'gatehouse_pending', publicUrl, STATE_TTL_SECONDS);
}

export function setStateCookie(c: Context, publicUrl: string, purpose: SealPurpose, value: string): void {
  c.header('set-cookie', serializeCookie(stateCookie(publicUrl, purpose), value), { append: true });
}

export function readStateCookie(c: Context, publicUrl: string, purpose: SealPurpose): string | undefined {
  return readCookie(c.req.header('cookie'), stateCookie(publicUrl, purpose).name);
}

export function clearStateCookie(c: Context, publicUrl: string, purpose: SealPurpose): void {
  c.header('set-cookie', clearCookie(stateCookie(publicUrl, purpose)), { append: true });
}

export const STATE_TTL_MS = STATE_TTL_SECONDS * 1000;

export function requestMeta(c: Context) {
  const ip = clientAddressOf(c);
  return {
    ...(ip !== UNKNOWN_ADDRESS ? { ipAddress: ip } : {}),
    ...(c.req.header('user-agent') ? { userAgent: c.req.header('user-agent')! } : {}),
  };
}

/** A POST body as an HTML form posts it or as JSON; 400/415/422 problems otherwise. */
export async function readInput<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (/^application\/([a-z.+-]*\+)?json\b/i.test(type)) return readJson(c, schema);
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    throw new AppError('REQUEST_UNSUPPORTED_MEDIA_TYPE', 'Expected a form or a JSON body');
  }
  const body = await c.req.parseBody();
  const result = schema.safeParse(body);
  if (!result.success) {
    throw requestInvalid('body', result.error.issues, 'The request body is invalid');
  }
  return result.data;
}

const STATUS: Record<CallbackResult['responseType'], ContentfulStatusCode> = {
  LOGIN_SUCCESSFUL: 200,
  ORGANIZATION_SELECTION_REQUIRED: 200,
  SSO_REQUIRED: 200,
  MEMBERSHIP_DEACTIVATED: 403,
  LINK_INVALID: 400,
  LINK_EXPIRED: 400,
};

function ssoLoginUrl(organizationId: string | null, returnTo: string): string {
  const q = new URLSearchParams();
  if (organizationId) q.set('organizationId', organizationId);
  if (returnTo !== '/') q.set('returnTo', returnTo);
  const s = q.toString();
  return `/auth/login${s ? `?${s}` : ''}`;
}

/**
 * Sends one response type. The caller has already set or cleared the state cookies; this adds
 * the session cookie on success. `returnTo` is the validated same-origin path of this sign-in.
 */
export function respond(c: Context, result: CallbackResult, returnTo: string): Response | Promise<Response> {
  c.header('cache-control', 'no-store');
  // Checked again on the exact string the page or JSON carries (core/redirect-target.ts).
  returnTo = sameOriginPath(returnTo) ?? '/';
  if (result.responseType === 'LOGIN_SUCCESSFUL')
    result = { ...result, returnTo: sameOriginPath(result.returnTo) ?? '/' };
  const status = STATUS[result.responseType];
  if (result.responseType === 'LOGIN_SUCCESSFUL') c.header('set-cookie', result.setCookie, { append: true });
  if (wantsJson(c)) {
    switch (result.responseType) {
      case 'LOGIN_SUCCESSFUL':
        return c.json(
          {
            responseType: result.responseType,
            organizationId: result.organizationId,
            userId: result.userId,
            returnTo: result.returnTo,
          },
          status,
        );
      case 'ORGANIZATION_SELECTION_REQUIRED':
        return c.json(
          {
            responseType: result.responseType,
            organizations: result.organizations,
            selectUrl: SELECT_ORGANIZATION_PATH,
          },
          status,
        );
      case 'SSO_REQUIRED':
        return c.json(
          {
            responseType: result.responseType,
            organizationId: result.organizationId,
            connectionId: result.connectionId,
            loginUrl: ssoLoginUrl(result.organizationId, returnTo),
          },
          status,
        );
      case 'MEMBERSHIP_DEACTIVATED':
        return c.json(
          { responseType: result.responseType, organizationId: result.organizationId, reason: result.reason },
          status,
        );
      case 'LINK_INVALID':
      case 'LINK_EXPIRED':
        return c.json({ responseType: result.responseType, reason: result.reason }, status);
    }
  }
  switch (result.responseType) {
    case 'LOGIN_SUCCESSFUL':
      return c.html(loginSuccessfulPage({ returnTo: result.returnTo, organizationId: result.organizationId }), status);
    case 'ORGANIZATION_SELECTION_REQUIRED':
      return c.html(
        organizationPickerPage({
          email: result.email,
          organizations: result.organizations,
          action: SELECT_ORGANIZATION_PATH,
        }),
        status,
      );
    case 'SSO_REQUIRED':
      return c.html(ssoRequiredPage({ loginUrl: ssoLoginUrl(result.organizationId, returnTo) }), status);
    case 'MEMBERSHIP_DEACTIVATED':
      return c.html(membershipDeactivatedPage({ reason: result.reason }), status);
    case 'LINK_INVALID':
      return c.html(linkInvalidPage({ reason: result.reason }), status);
    case 'LINK_EXPIRED':
      return c.html(linkExpiredPage({ reason: result.reason }), status);
  }
}

/** Provider refusals that are response types of the callback rather than errors. */
export function resultOfProviderError(error: unknown): CallbackResult | null {
  if (!(error instanceof AppError)) return null;
  if (error.code === 'PROVIDER_GRANT_INVALID') return { responseType: 'LINK_INVALID', reason: 'code_invalid' };
  if (error.code === 'PROVIDER_GRANT_EXPIRED') return { responseType: 'LINK_EXPIRED', reason: 'code_expired' };
  if (error.details?.reason === 'membership_inactive')
    return { responseType: 'MEMBERSHIP_DEACTIVATED', organizationId: null, reason: 'membership_inactive' };
  return null;
}
