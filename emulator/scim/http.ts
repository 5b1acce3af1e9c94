import type { Context } from 'hono';
import type { World } from '../state/world.ts';
import type { DirectoryWire } from '../state/types.ts';
import { MAX_PAGE_SIZE } from './discovery.ts';
import { ScimError, scimErrorBody, toScimError } from './errors.ts';

// Request plumbing shared by the Users and Groups handlers: the SCIM media type, error bodies,
// JSON bodies, paging parameters and the directory the bearer token unlocked.

export const SCIM_MEDIA_TYPE = 'application/scim+json';

export interface ScimEnv {
  Variables: { directory: DirectoryWire; base: string };
}

export type ScimContext = Context<ScimEnv>;

export function scimJson(c: Context, body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': SCIM_MEDIA_TYPE, ...headers } });
}

export function scimErrorResponse(c: Context, error: unknown): Response {
  const e = toScimError(error);
  if (e.status >= 500) process.emitWarning(`SCIM request failed: ${String(error)}`);
  return scimJson(c, scimErrorBody(e), e.status);
}

/** Runs a handler and answers any failure as a SCIM error body, whatever app mounts us. */
export function scim(handler: (c: ScimContext) => Response | Promise<Response>) {
  return async (c: ScimContext): Promise<Response> => {
    try {
      return await handler(c);
    } catch (error) {
      return scimErrorResponse(c, error);
    }
  };
}

export async function readJsonObject(c: ScimContext): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ScimError(400, 'Request body is not valid JSON', 'invalidSyntax');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ScimError(400, 'Request body must be a JSON object', 'invalidSyntax');
  }
  return body as Record<string, unknown>;
}

export interface Page {
  startIndex: number;
  count: number;
}

/** RFC 7644 §3.4.2.4: 1-based startIndex (values below 1 mean 1), count capped, 0 allowed. */
export function readPage(c: ScimContext): Page {
  const start = Number.parseInt(c.req.query('startIndex') ?? '1', 10);
  const count = Number.parseInt(c.req.query('count') ?? String(MAX_PAGE_SIZE), 10);
  return {
    startIndex: Number.isFinite(start) && start > 0 ? start : 1,
    count: Number.isFinite(count) ? Math.min(Math.max(count, 0), MAX_PAGE_SIZE) : MAX_PAGE_SIZE,
  };
}

export function notFound(kind: string, id: string): ScimError {
  return new ScimError(404, `${kind} ${id} not found`);
}

export function excluded(c: ScimContext): Set<string> {
  const raw = c.req.query('excludedAttributes') ?? '';
  return new Set(raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

export function omit(resource: Record<string, unknown>, names: Set<string>): Record<string, unknown> {
  if (names.size === 0) return resource;
  return Object.fromEntries(Object.entries(resource).filter(([k]) => !names.has(k.toLowerCase())));
}

export type { World };
