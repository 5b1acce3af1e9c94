// Machine-to-machine applications and the OAuth `client_credentials` grant. Tokens are RS256
// JWTs from the same keys as AuthKit sessions, carrying the application's organization, so a
// resource server verifies both kinds against one JWKS.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { M2MApplication } from '../state/types.ts';
import { oauthError } from './errors.ts';
import { parseInput } from './input.ts';
import { requireOrganization } from './organization-lookup.ts';
import { issuer } from './sessions.ts';
import { verifyConnectM2MSecret } from './connect-applications.ts';

const M2M_TOKEN_TTL_SECONDS = 60 * 60;

const CreateM2MInput = z.object({
  name: z.string().min(1),
  organization_id: z.string().min(1),
  scopes: z.array(z.string()).default([]),
  /** Emulator extension: fix the credentials (seeds, tests). */
  client_id: z.string().min(1).optional(),
  client_secret: z.string().min(16).optional(),
});

const TokenInput = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  scope: z.string().optional(),
});

const hash = (secret: string) => createHash('sha256').update(secret).digest();

/** Creates an application; the plain secret is returned only here. */
export function createM2MApplication(
  ctx: EmulatorContext,
  body: unknown,
): { application: M2MApplication; client_secret: string } {
  const input = parseInput(CreateM2MInput, body);
  requireOrganization(ctx, input.organization_id);
  const secret = input.client_secret ?? randomBytes(24).toString('base64url');
  const application: M2MApplication = {
    id: ctx.world.newId('app'),
    name: input.name,
    client_id: input.client_id ?? ctx.world.newId('client'),
    client_secret_hash: hash(secret).toString('hex'),
    organization_id: input.organization_id,
    scopes: input.scopes,
    created_at: ctx.world.nowIso(),
  };
  ctx.world.m2mApplications.set(application.id, application);
  return { application: { ...application }, client_secret: secret };
}

/** `client_credentials`: the secret is compared by hash in constant time. */
export async function clientCredentialsToken(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(TokenInput, body);
  const own = [...ctx.world.m2mApplications.values()].find((a) => a.client_id === input.client_id);
  const presented = hash(input.client_secret);
  // Applications made through the control surface or a seed, then Connect M2M applications.
  const app =
    own && timingSafeEqual(presented, Buffer.from(own.client_secret_hash, 'hex'))
      ? own
      : verifyConnectM2MSecret(ctx, input.client_id, input.client_secret);
  if (!app) throw oauthError(401, 'invalid_client', 'Invalid client credentials.');
  const requested = input.scope ? input.scope.split(' ').filter(Boolean) : app.scopes;
  const denied = requested.filter((s) => !app.scopes.includes(s));
  if (denied.length > 0) throw oauthError(400, 'invalid_scope', 'The application is not granted the requested scope.');
  const now = Math.floor(ctx.world.clock.nowMs() / 1000);
  const accessToken = await ctx.keys.sign(
    // WorkOS documents aud (the environment's client id) and client_id (= sub) on M2M tokens.
    {
      iss: issuer(ctx),
      aud: ctx.config.clientId,
      sub: app.client_id,
      client_id: app.client_id,
      jti: randomUUID(),
      org_id: app.organization_id,
      scope: requested.join(' '),
    },
    M2M_TOKEN_TTL_SECONDS,
    now,
  );
  return {
    access_token: accessToken,
    token_type: 'Bearer' as const,
    expires_in: M2M_TOKEN_TTL_SECONDS,
    scope: requested.join(' '),
  };
}
