import SCIMMY from 'scimmy';

// SCIM errors travel as RFC 7644 §3.12 bodies. Identity providers branch on `status` and
// `scimType` (Okta retries a 5xx, Entra treats a 409 `uniqueness` on POST as "already there"),
// so the mapping from every failure to one of these bodies lives here and nowhere else.

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

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
  }
}

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
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

export function scimErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
  };
}
