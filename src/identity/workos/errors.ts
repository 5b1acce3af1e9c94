// The one place that turns whatever the WorkOS SDK threw into something Gatehouse reasons about:
// either a step of the sign-in (choose an organization, use SSO, verify the email, MFA) or an
// AppError with a PROVIDER_* code, `retryable` when trying again later can work (network, 5xx,
// 429, timeouts) and terminal otherwise (a bad, reused or expired code, an unknown id).
//
// The SDK's exceptions carry `status`, a WorkOS `code` or OAuth `error`, and the parsed body as
// `rawData`; a network failure arrives as a plain Error whose cause is fetch's TypeError. We read
// them structurally so an SDK upgrade that renames a class does not silently change behaviour.
// Messages never include the provider's text verbatim when it could echo a token or a code.
import { AppError } from '../../core/errors.ts';
import type { SignInOutcome } from '../provider.ts';

type Step = Exclude<SignInOutcome, { kind: 'authenticated' }>;
export type WorkosFailure = { kind: 'step'; step: Step } | { kind: 'error'; error: AppError };

interface SdkErrorShape {
  name?: unknown;
  status?: unknown;
  code?: unknown;
  error?: unknown;
  errorDescription?: unknown;
  rawData?: unknown;
  retryAfter?: unknown;
  cause?: unknown;
  message?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function bodyOf(e: SdkErrorShape): Record<string, unknown> {
  return e.rawData && typeof e.rawData === 'object' ? (e.rawData as Record<string, unknown>) : {};
}

function userOf(raw: unknown) {
  const u = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    id: String(u.id ?? ''),
    email: String(u.email ?? ''),
    emailVerified: u.email_verified === true,
    firstName: str(u.first_name),
    lastName: str(u.last_name),
    updatedAt: str(u.updated_at),
  };
}

/** Reads the sign-in steps WorkOS answers as errors; null when `code` names none of them. */
function stepOf(code: string, body: Record<string, unknown>): Step | null {
  const pendingToken = str(body.pending_authentication_token);
  switch (code) {
    case 'organization_selection_required': {
      if (!pendingToken) return null;
      const orgs = Array.isArray(body.organizations) ? body.organizations : [];
      return {
        kind: 'organization_selection_required',
        pendingToken,
        user: userOf(body.user),
        organizations: orgs
          .map((o) => ({
            id: String((o as { id?: unknown }).id ?? ''),
            name: String((o as { name?: unknown }).name ?? ''),
          }))
          .filter((o) => o.id),
      };
    }
    case 'sso_required':
      return {
        kind: 'sso_required',
        pendingToken,
        email: str(body.email),
        connectionIds: Array.isArray(body.connection_ids)
          ? body.connection_ids.filter((c): c is string => typeof c === 'string')
          : [],
      };
    case 'email_verification_required':
      return { kind: 'email_verification_required', pendingToken, email: str(body.email) };
    case 'mfa_enrollment':
    case 'mfa_challenge':
      return { kind: 'mfa_required', pendingToken, enrollment: code === 'mfa_enrollment' };
    default:
      return null;
  }
}

const error = (
  code: ConstructorParameters<typeof AppError>[0],
  message: string,
  cause: unknown,
  extra: { retryable?: boolean; details?: Record<string, unknown> } = {},
): WorkosFailure => ({
  kind: 'error',
  error: new AppError(code, message, {
    cause: safeCause(cause),
    retryable: extra.retryable ?? false,
    ...(extra.details ? { details: extra.details } : {}),
  }),
});

/**
 * What we keep of the SDK's exception as `cause`: its class, status and WorkOS code. The body
 * (`rawData`) can hold a pending authentication token or echo the code we sent, and causes end up
 * in logs, so it stays behind.
 */
function safeCause(thrown: unknown): Error {
  const e = (thrown && typeof thrown === 'object' ? thrown : {}) as SdkErrorShape;
  const body = bodyOf(e);
  const code = str(e.code) ?? str(body.code) ?? str(e.error) ?? str(body.error);
  const inner = e.cause && typeof e.cause === 'object' ? (e.cause as { message?: unknown }).message : undefined;
  const parts = [str(e.name) ?? 'Error', typeof e.status === 'number' ? `HTTP ${e.status}` : null, code, str(inner)];
  return new Error(parts.filter(Boolean).join(' '));
}

/** Classifies an SDK failure. `operation` names the call for the message (no inputs in it). */
export function classifyWorkosError(thrown: unknown, operation: string): WorkosFailure {
  if (thrown instanceof AppError) return { kind: 'error', error: thrown };
  const e = (thrown && typeof thrown === 'object' ? thrown : {}) as SdkErrorShape;
  const status = typeof e.status === 'number' ? e.status : null;
  const body = bodyOf(e);
  const code = str(e.code) ?? str(body.code) ?? str(e.error) ?? str(body.error) ?? '';
  const description = str(e.errorDescription) ?? str(body.error_description) ?? '';

  const step = stepOf(code, body);
  if (step) return { kind: 'step', step };

  // No response at all: DNS, refused connection, reset, TLS. The SDK wraps fetch's TypeError.
  if (status === null) {
    if (e.name === 'ParseError')
      return error('PROVIDER_UNAVAILABLE', `The identity provider sent an unreadable answer to ${operation}`, thrown, {
        retryable: true,
      });
    return error('PROVIDER_UNAVAILABLE', `The identity provider could not be reached for ${operation}`, thrown, {
      retryable: true,
    });
  }
  if (status === 408 || status >= 500) {
    return error(
      'PROVIDER_UNAVAILABLE',
      `The identity provider failed to answer ${operation} (HTTP ${status})`,
      thrown,
      { retryable: true },
    );
  }
  if (status === 429) {
    const retryAfter = typeof e.retryAfter === 'number' ? e.retryAfter : undefined;
    return error('PROVIDER_RATE_LIMITED', `The identity provider is rate limiting ${operation}`, thrown, {
      retryable: true,
      ...(retryAfter ? { details: { retryAfter } } : {}),
    });
  }
  if (status === 401 || (status === 403 && code === '')) {
    // Our API key or client id is wrong: an operator problem, not the user's.
    return error(
      'PROVIDER_REJECTED',
      `The identity provider refused Gatehouse's credentials for ${operation}; check WORKOS_API_KEY and WORKOS_CLIENT_ID`,
      thrown,
    );
  }
  switch (code) {
    case 'invalid_grant':
      // WorkOS says "expired" in the description for codes and refresh tokens past their life.
      return /expired/i.test(description)
        ? error('PROVIDER_GRANT_EXPIRED', `The ${operation} grant has expired`, thrown)
        : error('PROVIDER_GRANT_INVALID', `The ${operation} grant is invalid or was already used`, thrown);
    case 'invalid_pending_authentication_token':
      return error('PROVIDER_GRANT_EXPIRED', 'The pending sign-in is no longer valid; sign in again', thrown);
    case 'organization_membership_not_found':
    case 'organization_membership_inactive':
      return error('PROVIDER_REJECTED', 'The user is not an active member of that organization', thrown, {
        details: { reason: 'membership_inactive' },
      });
    case 'invalid_client':
    case 'unauthorized_client':
      return error(
        'PROVIDER_REJECTED',
        `The identity provider refused Gatehouse's client for ${operation}; check WORKOS_CLIENT_ID and WORKOS_API_KEY`,
        thrown,
      );
    default:
      break;
  }
  // Token errors nested in `errors[]` (e.g. password_reset_error → password_reset_token_expired).
  const nested = (
    Array.isArray((e as { errors?: unknown }).errors)
      ? (e as { errors: unknown[] }).errors
      : Array.isArray(body.errors)
        ? body.errors
        : []
  )
    .map((x) => (x && typeof x === 'object' ? str((x as { code?: unknown }).code) : null))
    .filter((c): c is string => c !== null);
  if (nested.some((c) => /token/.test(c) && /expired/.test(c)))
    return error('PROVIDER_GRANT_EXPIRED', `The ${operation} token has expired`, thrown);
  if (nested.some((c) => /token/.test(c) && /invalid/.test(c)))
    return error('PROVIDER_GRANT_INVALID', `The ${operation} token is invalid or was already used`, thrown);
  if (status === 404)
    return error(
      'PROVIDER_NOT_FOUND',
      `The identity provider does not know that ${operation.replace(/^get /, '')}`,
      thrown,
    );
  if (status === 422)
    return error('PROVIDER_INVALID_REQUEST', `The identity provider refused the input of ${operation}`, thrown);
  if (status === 400 && /token|code/i.test(code))
    return error('PROVIDER_GRANT_INVALID', `The ${operation} token is invalid or expired`, thrown);
  if (status === 400)
    return error('PROVIDER_INVALID_REQUEST', `The identity provider refused the input of ${operation}`, thrown);
  return error(
    'PROVIDER_REJECTED',
    `The identity provider refused ${operation} (HTTP ${status}${code ? `, ${code}` : ''})`,
    thrown,
  );
}

/** For calls that have no sign-in steps: every failure becomes an AppError. */
export function toAppError(thrown: unknown, operation: string): AppError {
  const failure = classifyWorkosError(thrown, operation);
  return failure.kind === 'error'
    ? failure.error
    : new AppError(
        'PROVIDER_REJECTED',
        `The identity provider answered ${operation} with an unexpected sign-in step (${failure.step.kind})`,
      );
}
