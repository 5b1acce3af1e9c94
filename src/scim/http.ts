// What Gatehouse's SCIM routes add to the shared request plumbing (protocols/scim/http.ts): the
// directory the bearer token unlocked (set by router.ts, never read from the request) and the
// error answer, which maps Gatehouse's own errors too.
import type { Context } from 'hono';
import { scimErrorBody } from '../../protocols/scim/errors.ts';
import { scimJson } from '../../protocols/scim/http.ts';
import { toScimError } from './errors.ts';

export interface ScimDirectory {
  organizationId: string;
  directoryId: string;
}

export interface ScimEnv {
  Variables: { directory: ScimDirectory; base: string };
}

export type ScimContext = Context<ScimEnv>;

export function scimErrorResponse(error: unknown): Response {
  const e = toScimError(error);
  return scimJson(scimErrorBody(e), e.status, e.headers);
}
