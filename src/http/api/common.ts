// Shapes shared by the API routes: id formats, cursors, list envelopes.
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';

/** Ids are `<prefix>_<ULID-like>`; anything else is refused before it reaches a query. */
export const idOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{8,40}$`), `expected a ${prefix}_… id`);

export const orgParams = z.strictObject({ orgId: idOf('org') });

export const limitQuery = z.coerce.number().int().min(1).max(200).default(50);

/** Opaque cursor: base64url JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the coded error
  }
  throw new AppError('REQUEST_INVALID', 'The cursor is not one this API issued', {
    details: { errors: [{ path: 'query.cursor', message: 'invalid cursor' }] },
  });
}

export const cursorQuery = z.string().min(1).max(512).optional();

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}
