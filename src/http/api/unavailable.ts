// Every route is always declared, so the API and its OpenAPI document are the same on every
// server. A route whose service this server was started without (no WorkOS key, no secret for
// sessions) answers 503 PROVIDER_UNAVAILABLE naming what is missing, instead of vanishing.
import { AppError } from '../../core/errors.ts';

export function unavailable<T extends object>(what: string): T {
  const fail = () => Promise.reject(new AppError('PROVIDER_UNAVAILABLE', `${what} is not configured on this server`));
  return new Proxy({} as T, { get: () => fail });
}
