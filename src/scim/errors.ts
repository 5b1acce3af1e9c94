// Gatehouse's own failures as SCIM error bodies. The body and the protocol's failures live in
// protocols/scim/errors.ts; an AppError (rate limit, body too large, bad token, store outage)
// raised under /scim/v2 keeps its status and its code here, with the headers a client needs.
import { AppError } from '../core/errors.ts';
import { ScimError, toScimError as toProtocolError } from '../../protocols/scim/errors.ts';

/** Turns anything thrown while serving a SCIM request into the status and body to answer. */
export function toScimError(error: unknown): ScimError {
  if (error instanceof AppError) {
    const retryAfter = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
    return new ScimError(error.status, error.message, undefined, {
      code: error.code,
      headers: {
        ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
        ...(error.status === 401 ? { 'www-authenticate': 'Bearer realm="gatehouse-scim"' } : {}),
      },
    });
  }
  return toProtocolError(error);
}
