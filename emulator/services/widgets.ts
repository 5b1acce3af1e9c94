// The JWT template (extra claims the environment's access tokens carry) and widget tokens (short
// tokens a page hands WorkOS widgets, scoped to one organization and, optionally, one user).
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { JwtTemplateWire } from '../state/platform-types.ts';
import { parseInput } from './input.ts';
import { requireOrganization } from './organization-lookup.ts';
import { requireUser } from './users.ts';
import { unprocessable } from './errors.ts';

const DEFAULT_TEMPLATE = '{}';

export function getJwtTemplate(ctx: EmulatorContext): JwtTemplateWire {
  const current = ctx.world.jwtTemplate.get('current');
  if (current) return { ...current };
  const now = ctx.world.nowIso();
  return { object: 'jwt_template', content: DEFAULT_TEMPLATE, created_at: now, updated_at: now };
}

export function setJwtTemplate(ctx: EmulatorContext, body: unknown): JwtTemplateWire {
  const { content } = parseInput(z.object({ content: z.string() }), body);
  try {
    JSON.parse(content);
  } catch {
    throw unprocessable([
      { field: 'content', code: 'invalid_template', message: 'content must be a JSON object template' },
    ]);
  }
  const now = ctx.world.nowIso();
  const template: JwtTemplateWire = {
    object: 'jwt_template',
    content,
    created_at: ctx.world.jwtTemplate.get('current')?.created_at ?? now,
    updated_at: now,
  };
  ctx.world.jwtTemplate.set('current', template);
  return { ...template };
}

const WIDGET_SCOPES = [
  'widgets:users-table:manage',
  'widgets:domain-verification:manage',
  'widgets:sso:manage',
  'widgets:api-keys:manage',
  'widgets:dsync:manage',
  'widgets:audit-log-streaming:manage',
] as const;

/** A one-hour RS256 token from the environment's signing key, verifiable with the JWKS. */
export async function createWidgetToken(ctx: EmulatorContext, body: unknown): Promise<{ token: string }> {
  const input = parseInput(
    z.object({
      organization_id: z.string().min(1),
      user_id: z.string().min(1).optional(),
      scopes: z.array(z.enum(WIDGET_SCOPES)).default([]),
    }),
    body,
  );
  requireOrganization(ctx, input.organization_id);
  if (input.user_id) requireUser(ctx, input.user_id);
  const claims = {
    iss: `${ctx.config.baseUrl}/user_management/${ctx.config.clientId}`,
    org_id: input.organization_id,
    scopes: input.scopes,
    ...(input.user_id ? { sub: input.user_id } : {}),
  };
  return { token: await ctx.keys.sign(claims, 3600, Math.floor(ctx.world.clock.nowMs() / 1000)) };
}
