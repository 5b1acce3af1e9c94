// The one error every service throws. `status` and the body fields mirror what WorkOS answers
// (`code` + `message`, `errors[]` on 422, OAuth-style `error` + `error_description` on the token
// endpoints), so the HTTP layer maps it in one place without knowing which service failed.

export interface FieldError {
  field?: string;
  code: string;
  message?: string;
}

export interface EmulatorErrorBody {
  code?: string;
  message?: string;
  errors?: FieldError[];
  error?: string;
  error_description?: string;
  [extra: string]: unknown;
}

export class EmulatorError extends Error {
  readonly status: number;
  readonly body: EmulatorErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: EmulatorErrorBody, headers: Record<string, string> = {}) {
    super(body.message ?? body.error_description ?? body.code ?? body.error ?? `HTTP ${status}`);
    this.name = 'EmulatorError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function notFound(entity: string, id: string): EmulatorError {
  return new EmulatorError(404, { code: 'entity_not_found', message: `${entity} not found: '${id}'.`, entity_id: id });
}

export function badRequest(code: string, message: string): EmulatorError {
  return new EmulatorError(400, { code, message });
}

export function conflict(code: string, message: string): EmulatorError {
  return new EmulatorError(409, { code, message });
}

export function unprocessable(errors: FieldError[], message = 'Validation failed'): EmulatorError {
  return new EmulatorError(422, { code: 'invalid_request_parameters', message, errors });
}

/** OAuth-shaped error, as the token and authenticate endpoints answer. */
export function oauthError(
  status: number,
  error: string,
  description: string,
  extra: Record<string, unknown> = {},
): EmulatorError {
  return new EmulatorError(status, { error, error_description: description, ...extra });
}
