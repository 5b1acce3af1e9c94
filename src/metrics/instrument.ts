// Small wrappers that count at the edge of a part instead of inside it: the access verifier, the
// sign-in service and the provider's fetch keep their code, the composition root wraps them.
import type { AccessVerifier } from '../access/access-verifier.ts';
import { isAppError } from '../core/errors.ts';
import type { SignInService } from '../identity/sign-in.ts';
import type { Metrics } from './metrics.ts';

/** The kind of credential a request presents, from its shape alone (never its value). */
function credentialKind(credential: { cookie?: string | undefined; bearer?: string | undefined }): string {
  if (credential.bearer !== undefined) return credential.bearer.startsWith('gth_') ? 'api_key' : 'jwt';
  return credential.cookie !== undefined ? 'session' : 'none';
}

function outcomeOf(error: unknown): string {
  return isAppError(error) ? error.code : 'error';
}

export function instrumentVerifier(verifier: AccessVerifier, metrics: Metrics): AccessVerifier {
  const count = async <T>(kind: string, run: () => Promise<T>): Promise<T> => {
    try {
      const result = await run();
      metrics.accessDecisions.inc({ credential: kind, outcome: 'allowed' });
      return result;
    } catch (error) {
      metrics.accessDecisions.inc({ credential: kind, outcome: outcomeOf(error) });
      throw error;
    }
  };
  return {
    get cache() {
      return verifier.cache;
    },
    get cookieName() {
      return verifier.cookieName;
    },
    close: () => verifier.close(),
    verifyCredential: (credential, meta) =>
      count(credentialKind(credential), () => verifier.verifyCredential(credential, meta)),
    verify(request, meta) {
      const authorization = request.headers.get('authorization');
      const bearer = authorization === null ? undefined : (/^Bearer (\S+)$/i.exec(authorization.trim())?.[1] ?? '');
      const cookie =
        verifier.cookieName && request.headers.get('cookie')?.includes(`${verifier.cookieName}=`) ? '' : undefined;
      return count(credentialKind({ bearer, cookie }), () => verifier.verify(request, meta));
    },
  };
}

export function instrumentSignIn(service: SignInService, metrics: Metrics): SignInService {
  return {
    async complete(outcome, ctx) {
      try {
        const result = await service.complete(outcome, ctx);
        metrics.signIns.inc({ response_type: result.responseType });
        return result;
      } catch (error) {
        metrics.signIns.inc({ response_type: outcomeOf(error) });
        throw error;
      }
    },
  };
}

/**
 * `/user_management/users/user_01H.../sessions?x=1` -> `/user_management/users/:id/sessions`: any
 * segment with a digit, an `@` or a prefixed id is an id. Keeps the endpoint label bounded and free
 * of ids and emails.
 */
function endpointTemplate(url: string): string {
  const path = new URL(url, 'http://x').pathname;
  return path
    .split('/')
    .map((segment) => (/[0-9@%.]/.test(segment) || segment.length > 40 ? ':id' : segment))
    .join('/');
}

/** A fetch for the WorkOS SDK that times every call and counts failures. */
export function instrumentFetch(
  metrics: Metrics,
  inner: typeof globalThis.fetch = globalThis.fetch,
  provider = 'workos',
): typeof globalThis.fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const endpoint = endpointTemplate(url);
    const end = metrics.providerDuration.startTimer({ provider, method, endpoint });
    try {
      const response = await inner(input, init);
      end({ status: String(response.status) });
      if (response.status === 429) metrics.providerErrors.inc({ provider, endpoint, kind: 'rate_limited' });
      else if (response.status >= 500) metrics.providerErrors.inc({ provider, endpoint, kind: 'server_error' });
      return response;
    } catch (error) {
      const timeout = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      end({ status: timeout ? 'timeout' : 'network' });
      metrics.providerErrors.inc({ provider, endpoint, kind: timeout ? 'timeout' : 'network' });
      throw error;
    }
  };
}
