// ETag preconditions and server-owned attributes (RFC 7644 §3.14, RFC 7643 §3.1).
import type { Context } from 'hono';
import { ScimError } from '../../protocols/scim/errors.ts';
import type { ScimResource } from '../../protocols/scim/resources.ts';
import { etagOf } from './resources.ts';

/** If-Match names a version that is no longer current: 412, nothing written (lost-update guard). */
export function checkIfMatch(c: Context, version: number): void {
  const wanted = c.req.header('if-match');
  if (!wanted || wanted.trim() === '*') return;
  const tags = wanted.split(',').map((t) => t.trim());
  if (!tags.includes(etagOf(version)))
    throw new ScimError(412, 'The resource changed since the version given in If-Match', 'invalidVers');
}

/** `id` is assigned by the server and never changes; a body that changes it is refused. */
export function assertSameId(resource: ScimResource, id: string): void {
  if (resource.id !== undefined && resource.id !== id)
    throw new ScimError(400, 'Attribute id is immutable', 'mutability');
}

/** A PATCH operation aimed at `id` or `meta` (server-owned) is refused before anything applies. */
export function assertMutablePaths(body: Record<string, unknown>): void {
  const ops = Array.isArray(body.Operations) ? body.Operations : [];
  for (const op of ops) {
    const path = op && typeof op === 'object' ? (op as { path?: unknown }).path : undefined;
    if (typeof path === 'string' && /^(id|meta)(\.|$)/i.test(path.trim()))
      throw new ScimError(400, `Attribute ${path.trim()} is immutable`, 'mutability');
  }
}
