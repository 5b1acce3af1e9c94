// The one place that turns thrown errors into responses. Known AppErrors keep their code and
// status; anything else is logged with its stack and answered as a bare 500 that reveals nothing.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, isAppError } from '../core/errors.ts';
import type { Logger } from '../logger.ts';
import { problemResponse } from './problem.ts';

export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (isAppError(error)) {
      if (error.status >= 500) logger.error({ err: error, code: error.code, requestId: c.get('requestId' as never) }, error.message);
      return problemResponse(c, error);
    }
    if (error instanceof HTTPException) {
      const code = error.status === 413 ? 'REQUEST_TOO_LARGE' : error.status === 404 ? 'ROUTE_NOT_FOUND' : 'REQUEST_INVALID';
      return problemResponse(c, new AppError(code, error.status === 413 ? 'The request body is too large' : error.message || 'Bad request', { status: error.status }));
    }
    logger.error({ err: error, requestId: c.get('requestId' as never) }, 'unhandled error');
    return problemResponse(c, new AppError('INTERNAL_ERROR', 'Something went wrong on our side'));
  };
}

export function notFound(c: Context): Response {
  return problemResponse(c, new AppError('ROUTE_NOT_FOUND', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
}
