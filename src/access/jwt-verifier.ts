// WorkOS access tokens and M2M tokens: RS256 JWTs verified against the WorkOS JWKS at
// `<api>/sso/jwks/<clientId>`. jose's remote key set caches the keys, shares one in-flight fetch
// among concurrent callers, and refetches on an unknown `kid` no more than once per cooldown
// (threat: a flood of tokens with random kids turning us into a JWKS request amplifier).
// Only RS256 is accepted: `alg: none` and HS* are refused before any key is looked up (threat:
// algorithm confusion, signing with the public key as an HMAC secret). `iss` must match, and
// exp/nbf are checked with a small skew. The SDK's own check does not verify `iss`; this does.
//
// Exported API: createJwtVerifier({ apiBaseUrl, clientId, issuer?, fetch?, ... }) -> verify(token)
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../core/errors.ts';

export interface JwtVerifierOptions {
  /** e.g. https://api.workos.com or the emulator's URL; no trailing slash. */
  apiBaseUrl: string;
  clientId: string;
  /** Expected `iss`; WorkOS uses `<api>/user_management/<clientId>`. */
  issuer?: string;
  fetch?: typeof globalThis.fetch;
  clockToleranceSeconds?: number;
  /** Minimum time between JWKS refetches caused by unknown kids. */
  jwksCooldownMs?: number;
  clock?: () => number;
}

export type JwtVerify = (token: string) => Promise<JWTPayload>;

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerify {
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const issuer = options.issuer ?? `${base}/user_management/${options.clientId}`;
  const fetchImpl = options.fetch;
  const jwks = createRemoteJWKSet(new URL(`${base}/sso/jwks/${encodeURIComponent(options.clientId)}`), {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
    ...(fetchImpl ? { [customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) } : {}),
  });
  const clock = options.clock;
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ['RS256'],
        issuer,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub'],
        ...(clock ? { currentDate: new Date(clock()) } : {}),
      });
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('AUTH_TOKEN_EXPIRED', 'The access token has expired', { cause: error });
      // Key set unreachable or garbled: the provider's fault, not the caller's (503, retryable).
      if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError) || error.code === 'ERR_JWKS_INVALID') {
        throw new AppError('PROVIDER_UNAVAILABLE', 'The signing keys of the identity provider could not be loaded', { cause: error, retryable: true });
      }
      // Never echo the token or the library's message (it can quote claims).
      throw new AppError('AUTH_TOKEN_INVALID', 'The access token is not valid', { cause: error });
    }
  };
}
