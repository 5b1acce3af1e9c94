// The one place any failure becomes an HTTP answer. Services throw EmulatorError with a
// WorkOS-shaped body; anything else is a bug in the emulator and answers 500 without detail.
import type { Context } from 'hono';
import { EmulatorError } from '../services/errors.ts';

export function errorResponse(error: unknown, c: Context): Response {
  if (error instanceof EmulatorError) {
    return c.json(error.body, error.status as 400, error.headers);
  }
  if (error instanceof SyntaxError) {
    // Answered like any other invalid body: the 422 shape every operation documents.
    return c.json(
      {
        code: 'invalid_request_parameters',
        message: 'The request body is not valid JSON.',
        errors: [{ field: '(body)', code: 'invalid_json' }],
      },
      422,
    );
  }
  process.emitWarning(
    `emulator: unhandled error on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.stack : String(error)}`,
  );
  return c.json({ code: 'server_error', message: 'Internal server error.' }, 500);
}

export function notFoundResponse(c: Context): Response {
  return c.json({ message: `Not found: ${c.req.method} ${c.req.path}` }, 404);
}
