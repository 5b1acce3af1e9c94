// The relying-party side of a direct OIDC connection, over `openid-client` (authorization code +
// PKCE + nonce + state, discovery, JWKS fetched and re-fetched on an unknown `kid` by the library).
// Threats and answers:
// - Forged or replayed ID tokens: the library checks the signature against the issuer's JWKS, `iss`,
//   `aud` (our client id), `exp`/`iat`, and the `nonce` sealed in this browser's login state. Only
//   asymmetric algorithms are accepted (`none` and HS256 are refused): an HMAC "signed" with the
//   client secret proves nothing about the identity provider.
// - Mix-up (RFC 9207): the authorization response's `iss` must be the connection's issuer, and a
//   code is only ever redeemed at the token endpoint of the connection sealed in the login state.
// - Cleartext: issuers must be https; plain http is allowed for loopback hosts only (dev, tests).
// Every failure of the library or the network leaves through `oidcError`, the one mapping to AppError.
import * as client from 'openid-client';
import { AppError } from '../../core/errors.ts';

export interface OidcEndpoint {
  /** The connection id: keys the discovery cache. */
  id: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The identity claims Gatehouse reads, after every check passed. */
export interface VerifiedClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  givenName: string | null;
  familyName: string | null;
}

export interface DiscoveryReport {
  issuer: string;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  jwksUri: string | null;
  /** RFC 9207: the provider names itself in every authorization response. */
  issParameterSupported: boolean;
}

export interface OidcClients {
  /** Discovery now (bypassing the cache): the admin's "test connection". */
  discover(endpoint: OidcEndpoint): Promise<DiscoveryReport>;
  authorizationUrl(
    endpoint: OidcEndpoint,
    input: { redirectUri: string; state: string; nonce: string; codeChallenge: string; loginHint?: string | undefined },
  ): Promise<string>;
  /** Redeems the code in `callbackUrl` and answers the checked claims. */
  redeem(
    endpoint: OidcEndpoint,
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedClaims>;
  /** Drops a connection's cached discovery (its settings changed or it was removed). */
  forget(connectionId: string): void;
}

export interface OidcClientOptions {
  fetch?: typeof fetch;
  /** How long a discovery document is reused (the JWKS follows key rotation on its own). */
  discoveryTtlMs?: number;
  clock?: () => number;
}

/** Algorithms a connection's ID tokens may use: asymmetric only. */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** `https:` anywhere, `http:` only for loopback hosts; null when the URL is not acceptable. */
export function parseIssuerUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return url;
    if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
    return null;
  } catch {
    return null;
  }
}

export function createOidcClients(options: OidcClientOptions = {}): OidcClients {
  const ttl = options.discoveryTtlMs ?? 60 * 60_000;
  const clock = options.clock ?? Date.now;
  // One in-flight discovery per connection, shared by concurrent sign-ins.
  const cache = new Map<string, { key: string; at: number; config: Promise<client.Configuration> }>();

  const discoverNow = (endpoint: OidcEndpoint): Promise<client.Configuration> => {
    const url = parseIssuerUrl(endpoint.issuer);
    if (!url) throw new AppError('SSO_DISCOVERY_FAILED', 'The issuer must be an https URL');
    return client
      .discovery(
        url,
        endpoint.clientId,
        {
          client_secret: endpoint.clientSecret,
          // The library compares the header's `alg` with this list (a string or a list of them).
          id_token_signed_response_alg: [...ID_TOKEN_ALGORITHMS] as unknown as string,
        },
        client.ClientSecretBasic(endpoint.clientSecret),
        {
          ...(url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
          ...(options.fetch ? { [client.customFetch]: options.fetch as client.CustomFetch } : {}),
          timeout: 10,
        },
      )
      .catch((error: unknown) => {
        throw oidcError(error, 'discovery');
      });
  };

  const configOf = (endpoint: OidcEndpoint): Promise<client.Configuration> => {
    const key = `${endpoint.issuer}\0${endpoint.clientId}\0${endpoint.clientSecret}`;
    const hit = cache.get(endpoint.id);
    if (hit && hit.key === key && clock() - hit.at < ttl) return hit.config;
    const config = discoverNow(endpoint);
    cache.set(endpoint.id, { key, at: clock(), config });
    // A failed discovery is not cached: the next sign-in tries again.
    config.catch(() => {
      if (cache.get(endpoint.id)?.config === config) cache.delete(endpoint.id);
    });
    return config;
  };

  return {
    async discover(endpoint) {
      const config = await discoverNow(endpoint);
      const m = config.serverMetadata();
      return {
        issuer: m.issuer,
        authorizationEndpoint: m.authorization_endpoint ?? null,
        tokenEndpoint: m.token_endpoint ?? null,
        jwksUri: m.jwks_uri ?? null,
        issParameterSupported: m.authorization_response_iss_parameter_supported === true,
      };
    },

    async authorizationUrl(endpoint, input) {
      const config = await configOf(endpoint);
      return client
        .buildAuthorizationUrl(config, {
          redirect_uri: input.redirectUri,
          scope: 'openid email profile',
          response_type: 'code',
          code_challenge: input.codeChallenge,
          code_challenge_method: 'S256',
          state: input.state,
          nonce: input.nonce,
          ...(input.loginHint ? { login_hint: input.loginHint } : {}),
        })
        .toString();
    },

    async redeem(endpoint, callbackUrl, checks) {
      const config = await configOf(endpoint);
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (!idToken) throw new AppError('AUTH_OIDC_REJECTED', 'The identity provider sent no ID token');
        let claims: Record<string, unknown> = { ...idToken };
        // Many providers put email in the ID token only when asked for by claim; userinfo has it
        // (the library checks that its `sub` is the ID token's).
        if (typeof claims.email !== 'string' && tokens.access_token) {
          const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
          claims = { ...info, ...idToken, email: info.email, email_verified: info.email_verified };
        }
        return {
          issuer: idToken.iss,
          subject: idToken.sub,
          email: typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null,
          emailVerified: claims.email_verified === true,
          givenName: typeof claims.given_name === 'string' ? claims.given_name : null,
          familyName: typeof claims.family_name === 'string' ? claims.family_name : null,
        };
      } catch (error) {
        throw oidcError(error, 'callback');
      }
    },

    forget(connectionId) {
      cache.delete(connectionId);
    },
  };
}

/**
 * The one mapping of openid-client and network failures to AppError. At discovery: the issuer is
 * wrong or unreachable (SSO_DISCOVERY_FAILED). At the callback: the provider's answer failed a
 * check (AUTH_OIDC_REJECTED, with a reason and never a token), or it could not be reached
 * (PROVIDER_UNAVAILABLE, retryable).
 */
export function oidcError(error: unknown, stage: 'discovery' | 'callback'): AppError {
  if (error instanceof AppError) return error;
  const e = error as { name?: string; code?: string; error?: string; message?: string; cause?: unknown };
  if (stage === 'discovery') {
    return new AppError('SSO_DISCOVERY_FAILED', `OpenID discovery failed: ${describe(e)}`, { cause: error });
  }
  const unreachable =
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    (e.name === 'TypeError' && /fetch failed/i.test(e.message ?? '')) ||
    (e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && /5\d\d/.test(String((e.cause as { status?: number })?.status)));
  if (unreachable) {
    return new AppError('PROVIDER_UNAVAILABLE', 'The identity provider could not be reached; try again', {
      cause: error,
      retryable: true,
    });
  }
  return new AppError('AUTH_OIDC_REJECTED', 'The identity provider’s answer did not pass the sign-in checks', {
    cause: error,
    details: { reason: reasonOf(e) },
  });
}

/**
 * A short, secret-free reason for logs and the sign-in page. openid-client wraps oauth4webapi's
 * error, whose own `cause` names the claim or header that failed (never logged: it holds claims).
 */
function reasonOf(e: { name?: string; code?: string; error?: string; message?: string; cause?: unknown }): string {
  if (e.name === 'AuthorizationResponseError') return e.error === 'access_denied' ? 'access_denied' : 'provider_error';
  if (e.name === 'ResponseBodyError') return e.error === 'invalid_grant' ? 'code_invalid' : 'token_request_refused';
  const inner = e.cause as { message?: string; cause?: { claim?: string } } | undefined;
  const message = `${inner?.message ?? ''} ${e.message ?? ''}`;
  if (/response parameter/.test(message) && /"iss"/.test(message)) return 'iss_parameter_mismatch';
  switch (inner?.cause?.claim) {
    case 'nonce':
      return 'nonce_mismatch';
    case 'aud':
    case 'azp':
      return 'audience_mismatch';
    case 'iss':
      return 'issuer_mismatch';
    case 'exp':
    case 'iat':
    case 'nbf':
      return 'id_token_expired';
  }
  if (/"alg"/.test(message)) return 'algorithm_refused';
  if (/signature/i.test(message)) return 'signature_invalid';
  if (/state/.test(message)) return 'state_mismatch';
  return 'id_token_invalid';
}

function describe(e: { code?: string; message?: string }): string {
  const message = (e.message ?? 'unknown error').replace(/\s+/g, ' ').slice(0, 200);
  return e.code ? `${message} (${e.code})` : message;
}
