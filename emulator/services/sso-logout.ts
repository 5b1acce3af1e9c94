// SSO logout: the app asks for a logout URL for a profile (server side, with the API key), then
// sends the browser there; the token in it is single-use and short-lived, so a leaked URL cannot
// be replayed later. The test IdP keeps no session of its own, so the logout ends there.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { EmulatorError, notFound } from './errors.ts';
import { parseInput } from './input.ts';

const TOKEN_TTL_MS = 5 * 60 * 1000;

function knownProfile(ctx: EmulatorContext, profileId: string): boolean {
  for (const t of ctx.world.ssoAccessTokens.values()) if (t.profile.id === profileId) return true;
  for (const g of ctx.world.ssoGrants.values()) if (g.profile.id === profileId) return true;
  return false;
}

export function authorizeSsoLogout(ctx: EmulatorContext, body: unknown): { logout_url: string; logout_token: string } {
  const { profile_id } = parseInput(z.object({ profile_id: z.string().min(1) }), body);
  if (!knownProfile(ctx, profile_id)) throw notFound('Profile', profile_id);
  const token = randomBytes(24).toString('base64url');
  ctx.world.ssoLogoutTokens.set(token, {
    profile_id,
    expires_at: new Date(ctx.world.clock.nowMs() + TOKEN_TTL_MS).toISOString(),
  });
  return { logout_url: `${ctx.config.baseUrl}/sso/logout?token=${token}`, logout_token: token };
}

export function completeSsoLogout(ctx: EmulatorContext, token: string | undefined): void {
  const record = token ? ctx.world.ssoLogoutTokens.get(token) : undefined;
  if (!token || !record || Date.parse(record.expires_at) < ctx.world.clock.nowMs()) {
    throw new EmulatorError(400, { code: 'invalid_logout_token', message: 'The logout token is invalid or expired.' });
  }
  ctx.world.ssoLogoutTokens.delete(token);
}
