// Untrusted request input -> typed values. Every service entry point that takes a body runs it
// through `parseInput`, so a malformed request always answers the same 422 shape
// (`errors[]` with `field` and `code`) whatever the endpoint.
import type { z } from 'zod';
import { unprocessable } from './errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw unprocessable(
    result.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      code: issue.code === 'invalid_type' && issue.message.includes('undefined') ? 'required' : `invalid_${issue.code}`,
      message: issue.message,
    })),
  );
}
