// Small readers over Hono's request so routes stay one line each.
import type { Context } from 'hono';
import { parseListParams, type ListParams } from '../services/pagination.ts';

/** JSON or form-encoded body (the SSO token endpoint posts a form); an empty body is `{}`. */
export async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(await c.req.text()));
  }
  const text = await c.req.text();
  if (text.trim() === '' || text === 'null') return {};
  return JSON.parse(text) as unknown;
}

export function listParams(c: Context): ListParams {
  return parseListParams(c.req.query());
}

/** A query parameter that may repeat or hold a comma-separated list (the SDK sends the latter). */
export function queryList(c: Context, name: string): string[] | undefined {
  const values = [...(c.req.queries(name) ?? []), ...(c.req.queries(`${name}[]`) ?? [])];
  const out = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return out.length > 0 ? out : undefined;
}

export function query(c: Context, name: string): string | undefined {
  const value = c.req.query(name);
  return value === undefined || value === '' ? undefined : value;
}

/** Drops undefined values, for filters whose types use optional properties. */
export function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
