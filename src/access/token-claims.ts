// What a verified WorkOS JWT is, decided from the claims WorkOS documents, never from a missing
// one. Threat: token confusion — a signed JWT of another kind or for another client (a Connect
// token issued to a third-party application, a token minted for another environment, a token
// dated ahead to outlive its exp window) accepted as a Gatehouse sign-in or as an M2M principal.
//
// WorkOS's documentation (AuthKit "Session tokens", Connect "Access token claims"):
//   AuthKit session token: iss, sub (user id), sid (session id), org_id, role(s), permissions, jti,
//     iat, exp, and `act` when an admin impersonates. `aud`, when present, names our client id.
//   M2M token (client_credentials): iss, aud (the environment's client id), sub = client_id (the
//     application's client id), org_id, scope, jti, iat, exp; no sid.
// The JOSE header's `typ`, when present, is `JWT` (or the RFC 9068 `at+jwt`); any other type is
// another kind of token signed by the same key and is refused.
//
// Exported API: checkTokenType(header), classifyAccessToken(claims, { clientId }) -> WorkosToken
//   (both throw AUTH_TOKEN_INVALID; the verifier checks the header, the resolver classifies)
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { AppError } from '../core/errors.ts';

export type WorkosToken =
  | {
      kind: 'user';
      userId: string;
      organizationId: string;
      workosSessionId: string;
      impersonator: { email: string; reason: string | null } | null;
    }
  | { kind: 'm2m'; clientId: string; organizationId: string; scopes: string[] };

const ACCEPTED_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt']);

/** WorkOS access tokens live minutes; a token valid for more than a day was not minted as one. */
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

function invalid(reason: string): never {
  // The reason is a fixed phrase for logs and tests; it never quotes a claim value.
  throw new AppError('AUTH_TOKEN_INVALID', 'The access token is not valid', { details: { reason } });
}

function audiences(claims: JWTPayload): string[] | null {
  if (claims.aud === undefined) return null;
  return Array.isArray(claims.aud) ? claims.aud : [claims.aud];
}

export function checkTokenType(header: Pick<JWTHeaderParameters, 'typ'>): void {
  if (header.typ !== undefined && !ACCEPTED_TYP.has(String(header.typ).toLowerCase())) invalid('typ');
}

export function classifyAccessToken(claims: JWTPayload, options: { clientId: string }): WorkosToken {
  if (typeof claims.iat !== 'number') invalid('iat');
  if (typeof claims.exp !== 'number' || claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS) invalid('exp');
  const organizationId = typeof claims.org_id === 'string' ? claims.org_id : undefined;
  if (!organizationId) invalid('org_id');
  const aud = audiences(claims);
  const sub = claims.sub;
  if (typeof sub !== 'string' || !sub) invalid('sub');
  const clientIdClaim = claims.client_id;
  if (typeof claims.sid === 'string' && claims.sid) {
    // A user's token: ours only when minted for our client (no audience, or ours).
    if (aud && !aud.includes(options.clientId)) invalid('aud');
    if (clientIdClaim !== undefined && clientIdClaim !== options.clientId) invalid('client_id');
    if (!sub.startsWith('user_')) invalid('sub');
    const act = claims.act as { sub?: unknown; reason?: unknown } | undefined;
    const impersonator =
      act && typeof act.sub === 'string'
        ? { email: act.sub, reason: typeof act.reason === 'string' ? act.reason : null }
        : null;
    return { kind: 'user', userId: sub, organizationId, workosSessionId: claims.sid, impersonator };
  }
  if (claims.sid !== undefined) invalid('sid');
  // An M2M token is recognised by what it has: our environment as audience and sub = client_id.
  if (!aud?.includes(options.clientId)) invalid('aud');
  if (typeof clientIdClaim !== 'string' || clientIdClaim !== sub) invalid('client_id');
  if (claims.act !== undefined) invalid('act');
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { kind: 'm2m', clientId: sub, organizationId, scopes };
}
