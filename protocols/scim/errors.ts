// SCIM errors travel as RFC 7644 §3.12 bodies, not problem+json: identity providers branch on
// `status` and `scimType` (Okta retries a 5xx, Entra treats a 409 `uniqueness` on POST as "already
// there"). The protocol's own failures (scimmy's, bad JSON, schema violations) map to a body here;
// a server that has errors of its own maps them first and hands the rest to toScimError.
import SCIMMY from 'scimmy';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** A protocol-level refusal: a status, a scimType and a message naming no secret. */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly code: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    scimType?: ScimType,
    extra: { code?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.code = extra.code;
    this.headers = extra.headers ?? {};
  }
}

export function notFound(kind: string, id: string): ScimError {
  return new ScimError(404, `${kind} ${id} not found`);
}

/** Turns anything thrown while serving a SCIM request into the status and body to answer. */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof SCIMMY.Types.Error) {
    return new ScimError(error.status, error.message, (error.scimType || undefined) as ScimType | undefined);
  }
  // scimmy reports schema violations (missing required attribute, wrong type) as TypeError.
  if (error instanceof TypeError) return new ScimError(400, error.message, 'invalidValue');
  if (error instanceof SyntaxError) return new ScimError(400, 'Request body is not valid JSON', 'invalidSyntax');
  return new ScimError(500, 'Internal error');
}

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
  code?: string;
}

export function scimErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
    ...(error.code ? { code: error.code } : {}),
  };
}
