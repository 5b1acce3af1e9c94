// The one place that turns thrown errors into responses. Known AppErrors keep their code and
// status; a database that cannot be reached answers 503 STORE_UNAVAILABLE; anything else is
// logged with its stack and answered as a bare 500 that reveals nothing.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, isAppError } from '../core/errors.ts';
import type { Logger } from '../logger.ts';
import { isStoreUnavailable } from '../store/unavailable.ts';
import { problemResponse } from './problem.ts';

export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (isAppError(error)) {
      if (error.status >= 500)
        logger.error({ err: error, code: error.code, requestId: c.get('requestId') }, error.message);
      return problemResponse(c, error);
    }
    if (error instanceof HTTPException) return problemResponse(c, fromHttpException(error));
    if (isStoreUnavailable(error)) {
      logger.warn({ err: (error as Error).message, requestId: c.get('requestId') }, 'database unavailable');
      const unavailable = new AppError('STORE_UNAVAILABLE', 'The database is unavailable; try again shortly', {
        cause: error,
        retryable: true,
      });
      return problemResponse(c, unavailable);
    }
    logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    return problemResponse(c, new AppError('INTERNAL_ERROR', 'Something went wrong on our side'));
  };
}

/** Hono's own refusals (body limit, unknown route), each under the code of its status. */
function fromHttpException(error: HTTPException): AppError {
  if (error.status === 413) return new AppError('REQUEST_TOO_LARGE', 'The request body is too large');
  if (error.status === 404) return new AppError('ROUTE_NOT_FOUND', error.message || 'Not found');
  if (error.status === 415) {
    return new AppError('REQUEST_UNSUPPORTED_MEDIA_TYPE', error.message || 'Unsupported media type');
  }
  return new AppError('REQUEST_INVALID', error.message || 'Bad request');
}

export function notFound(c: Context): Response {
  return problemResponse(
    c,
    new AppError('ROUTE_NOT_FOUND', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
}
