// What the emulator's SCIM handlers add to the shared request plumbing (protocols/scim/http.ts):
// the directory the bearer token unlocked (set by auth.ts) and the error answer, caught per
// handler so the body is SCIM whatever app mounts us.
import type { Context } from 'hono';
import type { DirectoryWire } from '../state/types.ts';
import { scimErrorBody, toScimError } from '../../protocols/scim/errors.ts';
import { scimJson } from '../../protocols/scim/http.ts';

export interface ScimEnv {
  Variables: { directory: DirectoryWire; base: string };
}

export type ScimContext = Context<ScimEnv>;

export function scimErrorResponse(_c: Context, error: unknown): Response {
  const e = toScimError(error);
  if (e.status >= 500) process.emitWarning(`SCIM request failed: ${String(error)}`);
  return scimJson(scimErrorBody(e), e.status);
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
