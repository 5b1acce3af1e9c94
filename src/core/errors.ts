// One error type for the whole product. `code` is a stable, area-prefixed UPPER_SNAKE string that
// callers and API clients can switch on; it is never renamed once shipped. `status` is the HTTP
// status the error maps to, fixed per code (a different status is a different code). Messages are
// for humans and must never contain secrets, tokens or codes. docs/errors.md lists every code;
// test/architecture/error-codes.test.ts fails when one is missing there or never thrown.

export const ERROR_CODES = {
  REQUEST_MALFORMED_JSON: 400,
  REQUEST_INVALID: 422,
  ROLE_SLUG_TOO_LONG: 422,
  REQUEST_UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 404,
  // Refusals of a change that conflicts with the current state, one code per reason.
  ROLE_BUILT_IN: 409,
  ROLE_EXISTS: 409,
  ROLE_IN_USE: 409,
  MEMBER_SELF_CHANGE: 409,
  SESSION_ALREADY_IN_ORGANIZATION: 409,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  STORE_UNAVAILABLE: 503,
  STORE_NOT_MIGRATED: 503,
  SERVER_STOPPING: 503,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIAL: 401,
  AUTH_FORBIDDEN: 403,
  AUDIT_EXPORT_INVALID: 400,
  AUDIT_KEYS_INVALID: 400,
  AUDIT_SIGNING_KEY_MISSING: 503,
  AUDIT_PROOF_OUT_OF_RANGE: 400,
  AUDIT_ORGANIZATION_UNKNOWN: 404,
  AUDIT_FILE_UNREADABLE: 400,
  SSO_NOT_ENABLED: 409,
  SSO_CONNECTION_INVALID: 422,
  SSO_LOCKOUT_UNACKNOWLEDGED: 409,
  SESSION_EXPIRED: 401,
  SESSION_REVOKED: 401,
  SESSION_INVALID: 401,
  SESSION_SSO_REQUIRED: 401,
  AUTH_TOKEN_EXPIRED: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_TOKEN_REVOKED: 401,
  AUTH_API_KEY_INVALID: 401,
  AUTH_API_KEY_EXPIRED: 401,
  AUTH_API_KEY_REVOKED: 401,
  AUTH_MEMBERSHIP_INACTIVE: 401,
  AUTH_API_KEY_ROLE_TOO_HIGH: 403,
  // The permission ceiling (src/access/ceiling.ts): granting beyond what one holds, or raising oneself.
  AUTH_PERMISSION_CEILING: 403,
  AUTH_ROLE_ESCALATION: 403,
  AUTH_SUPERADMIN_NOT_ENTERED: 404,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_PAYLOAD_INVALID: 400,
  WEBHOOK_PAYLOAD_TOO_DEEP: 400,
  REQUEST_TOO_DEEP: 400,
  DIRECTORY_EVENT_INVALID: 422,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_REJECTED: 502,
  // Sign-in: what the identity provider answered, mapped once in identity/workos/errors.ts.
  PROVIDER_GRANT_INVALID: 400,
  PROVIDER_GRANT_EXPIRED: 400,
  PROVIDER_NOT_FOUND: 404,
  PROVIDER_INVALID_REQUEST: 422,
  PROVIDER_RATE_LIMITED: 429,
  AUTH_CSRF_REJECTED: 403,
  SSO_CONNECTION_NOT_FOUND: 404,
  // The access decision (src/access/access-decision.ts).
  AUTH_SSO_REQUIRED: 401,
  AUTH_IMPERSONATION_FORBIDDEN: 403,
  // The built-in email-code sign-in (src/identity/local/): too many codes asked for one email or source.
  AUTH_CODE_RATE_LIMITED: 429,
  // The SCIM server (src/scim/): a missing, unknown, expired or revoked directory bearer token.
  SCIM_TOKEN_INVALID: 401,
  // Direct OIDC connections (src/identity/oidc/).
  AUTH_OIDC_REJECTED: 401,
  AUTH_OIDC_NO_CONNECTION: 404,
  SSO_DISCOVERY_FAILED: 422,
  SSO_DOMAIN_TAKEN: 409,
  SSO_CONNECTION_IN_USE: 409,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  cause?: unknown;
  /** Safe, non-secret details for API clients (e.g. field errors). */
  details?: Record<string, unknown>;
  /** Whether retrying the same operation later may succeed (provider or database outages). */
  retryable?: boolean;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** One failing field of a request: its path within the part it came from, and what was expected. */
export interface FieldIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

/**
 * The one mapping of validation issues (zod's, or hand-made ones) to `422 REQUEST_INVALID`:
 * `details.errors` names each field as `<where>.<path>` (e.g. `body.role`, `query.cursor`).
 */
export function requestInvalid(
  where: 'body' | 'query' | 'path',
  issues: readonly FieldIssue[],
  message = `Invalid ${where}`,
): AppError {
  const errors = issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  return new AppError('REQUEST_INVALID', message, { details: { errors } });
}
