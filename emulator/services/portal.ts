// Admin portal links. A link is a short-lived (5 minute) capability for one organization and
// one intent; the portal pages (emulator/hosted) redeem it with `openPortalLink`.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { PortalLink } from '../state/types.ts';
import { EmulatorError } from './errors.ts';
import { parseInput } from './input.ts';
import { requireOrganization } from './organization-lookup.ts';

export const PORTAL_INTENTS = [
  'sso',
  'dsync',
  'audit_logs',
  'log_streams',
  'domain_verification',
  'certificate_renewal',
] as const;
export const PORTAL_LINK_TTL_MS = 5 * 60 * 1000;

const GenerateLinkInput = z.object({
  organization: z.string().min(1),
  intent: z.enum(PORTAL_INTENTS),
  return_url: z.url().optional(),
  success_url: z.url().optional(),
  intent_options: z.record(z.string(), z.unknown()).optional(),
});

export function generatePortalLink(ctx: EmulatorContext, body: unknown): { link: string } {
  const input = parseInput(GenerateLinkInput, body);
  requireOrganization(ctx, input.organization);
  const token = randomBytes(24).toString('base64url');
  const link: PortalLink = {
    token,
    organization_id: input.organization,
    intent: input.intent,
    return_url: input.return_url ?? null,
    success_url: input.success_url ?? null,
    expires_at: new Date(ctx.world.clock.nowMs() + PORTAL_LINK_TTL_MS).toISOString(),
  };
  ctx.world.portalLinks.set(token, link);
  return { link: `${ctx.config.baseUrl}/portal/${input.intent}?token=${token}` };
}

/** Redeems a portal link token; an unknown or expired link is a 404, like a dead page. */
export function openPortalLink(ctx: EmulatorContext, token: string): PortalLink {
  const link = ctx.world.portalLinks.get(token);
  if (!link || Date.parse(link.expires_at) <= ctx.world.clock.nowMs()) {
    throw new EmulatorError(404, {
      code: 'portal_link_expired',
      message: 'This admin portal link is invalid or has expired.',
    });
  }
  return { ...link };
}
