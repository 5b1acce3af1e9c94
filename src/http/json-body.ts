// Reading a JSON request body: malformed JSON and schema failures become coded 400/422 problems,
// with the failing fields listed (names only: values may be secrets).
import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, requestInvalid } from '../core/errors.ts';

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new AppError('REQUEST_UNSUPPORTED_MEDIA_TYPE', 'Expected a JSON body (Content-Type: application/json)');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new AppError('REQUEST_MALFORMED_JSON', 'The request body is not valid JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw requestInvalid('body', result.error.issues, 'The request body is invalid');
  }
  return result.data;
}
