// The SSO (non-AuthKit) token exchange: `/sso/token` trades a test-IdP code for a profile and an
// opaque access token; `/sso/profile` answers that token. Codes are single use, bound to the
// client and, with PKCE, to the verifier.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { oauthError, EmulatorError } from './errors.ts';
import { parseInput } from './input.ts';
import { verifyPkce } from './authorize.ts';

const SSO_TOKEN_TTL_SECONDS = 10 * 60;

const TokenInput = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1),
  code_verifier: z.string().optional(),
});

export function exchangeSsoCode(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(TokenInput, body);
  if (input.client_id !== ctx.config.clientId) throw oauthError(400, 'invalid_client', 'Invalid client ID.');
  if (input.client_secret !== undefined && input.client_secret !== ctx.config.apiKey)
    throw oauthError(400, 'invalid_client', 'Invalid client secret.');
  if (input.client_secret === undefined && !input.code_verifier)
    throw oauthError(400, 'invalid_client', 'client_secret or code_verifier is required.');
  const grant = ctx.world.ssoGrants.get(input.code);
  if (!grant || grant.used || grant.client_id !== input.client_id)
    throw oauthError(400, 'invalid_grant', 'The code is invalid.');
  if (Date.parse(grant.expires_at) <= ctx.world.clock.nowMs())
    throw oauthError(400, 'invalid_grant', 'The code has expired.');
  // Same rule as AuthKit codes: without the secret only a PKCE-bound code can be redeemed.
  if (input.client_secret === undefined && !grant.code_challenge)
    throw oauthError(400, 'invalid_grant', 'This code requires the client secret.');
  verifyPkce(grant.code_challenge, input.code_verifier);
  grant.used = true;
  const token = randomBytes(24).toString('base64url');
  ctx.world.ssoAccessTokens.set(token, {
    token,
    profile: grant.profile,
    expires_at: new Date(ctx.world.clock.nowMs() + SSO_TOKEN_TTL_SECONDS * 1000).toISOString(),
  });
  return {
    token_type: 'Bearer' as const,
    access_token: token,
    expires_in: SSO_TOKEN_TTL_SECONDS,
    profile: structuredClone(grant.profile),
  };
}

export function getSsoProfile(ctx: EmulatorContext, accessToken: string | undefined) {
  const record = accessToken ? ctx.world.ssoAccessTokens.get(accessToken) : undefined;
  if (!record || Date.parse(record.expires_at) <= ctx.world.clock.nowMs()) {
    throw new EmulatorError(401, {
      error: 'Unauthorized',
      error_description: 'The access token is invalid or expired.',
      message: 'Unauthorized',
    });
  }
  return structuredClone(record.profile);
}
