// WorkOS access tokens and M2M tokens: RS256 JWTs verified against the WorkOS JWKS at
// `<api>/sso/jwks/<clientId>`. jose's remote key set caches the keys, shares one in-flight fetch
// among concurrent callers, and refetches on an unknown `kid` no more than once per cooldown
// (threat: a flood of tokens with random kids turning us into a JWKS request amplifier).
// Only RS256 is accepted: `alg: none` and HS* are refused before any key is looked up (threat:
// algorithm confusion, signing with the public key as an HMAC secret). `iss` must match, and
// exp/nbf are checked with a small skew. The SDK's own check does not verify `iss`; this does.
// `iat` is required and may be neither in the future nor older than MAX_TOKEN_AGE (threat: a
// token dated ahead of time, or a lifetime far beyond what WorkOS issues), and the header's
// `typ` must be a JWT access token's (token-claims.ts says which, from WorkOS's documentation).
//
// Exported API: createJwtVerifier({ apiBaseUrl, clientId, issuer?, fetch?, ... }) -> verify(token)
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../core/errors.ts';
import { checkTokenType } from './token-claims.ts';

/** WorkOS access tokens live minutes; a day is far beyond any configured lifetime. */
const MAX_TOKEN_AGE_SECONDS = 24 * 3600;

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
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        algorithms: ['RS256'],
        issuer,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub', 'iat'],
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        ...(clock ? { currentDate: new Date(clock()) } : {}),
      });
      checkTokenType(protectedHeader);
      return payload;
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new AppError('AUTH_TOKEN_EXPIRED', 'The access token has expired', { cause: error });
      // Key set unreachable or garbled: the provider's fault, not the caller's (503, retryable).
      if (
        error instanceof joseErrors.JWKSTimeout ||
        !(error instanceof joseErrors.JOSEError) ||
        error.code === 'ERR_JWKS_INVALID'
      ) {
        throw new AppError('PROVIDER_UNAVAILABLE', 'The signing keys of the identity provider could not be loaded', {
          cause: error,
          retryable: true,
        });
      }
      // Never echo the token or the library's message (it can quote claims).
      throw new AppError('AUTH_TOKEN_INVALID', 'The access token is not valid', { cause: error });
    }
  };
}
