// Every HTTP failure is an RFC 9457 problem document with our stable `code` (DESIGN.md §3.6).
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError } from '../core/errors.ts';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId?: string;
  errors?: unknown;
}

/** The problem document of an error, without the request's id. */
export function problemBody(error: AppError): ProblemBody {
  return {
    type: `https://gatehouse.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: error.code,
    status: error.status,
    code: error.code,
    detail: error.message,
  };
}

export function problemResponse(c: Context, error: AppError): Response {
  const body = problemBody(error);
  const requestId = c.get('requestId');
  if (requestId) body.requestId = requestId;
  if (error.details?.errors) body.errors = error.details.errors;
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (typeof error.details?.retryAfter === 'number') headers['retry-after'] = String(error.details.retryAfter);
  if (typeof error.details?.wwwAuthenticate === 'string') headers['www-authenticate'] = error.details.wwwAuthenticate;
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode, headers);
}
