import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { World } from '../state/world.ts';
import { ScimError } from '../../protocols/scim/errors.ts';
import { scimErrorResponse, type ScimEnv } from './http.ts';

// Each directory has its own bearer token. An unknown directory and a wrong token answer the
// same 401, so the endpoint does not reveal which directory ids exist; the comparison runs in
// constant time so the token cannot be recovered byte by byte from response timing.

function sameToken(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function scimAuth(world: World): MiddlewareHandler<ScimEnv> {
  return async (c, next) => {
    const directoryId = c.req.param('directoryId') ?? '';
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const expected = world.scimTokens.get(directoryId);
    const directory = world.directories.get(directoryId);
    if (!match || !expected || !directory || !sameToken((match[1] as string).trim(), expected)) {
      return scimErrorResponse(c, new ScimError(401, 'Authorization failure: missing or invalid bearer token'));
    }
    // The base is the URL up to the directory id (the path comes before any query, and the
    // origin cannot hold a slash): sliced from the string rather than parsed on every request.
    const url = c.req.url;
    const at = url.indexOf(`/${directoryId}`, url.indexOf('//') + 2);
    c.set('directory', directory);
    c.set('base', url.slice(0, at + directoryId.length + 1));
    await next();
  };
}
