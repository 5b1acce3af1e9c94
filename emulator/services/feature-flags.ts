// Feature flags: defined in the WorkOS dashboard (here: the control surface or the seed), switched
// on and off environment-wide, and targeted at organizations and users. A flag is on for an
// organization or user when it is enabled and either on by default or targeted at them (a user
// also through the organizations they are an active member of).
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { FeatureFlagWire } from '../state/platform-types.ts';
import { notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';
import { requireUser } from './users.ts';

const DefineFlagInput = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  name: z.string().min(1).optional(),
  description: z.string().nullish(),
  tags: z.array(z.string()).default([]),
  enabled: z.boolean().default(true),
  default_value: z.boolean().default(false),
});

export function defineFeatureFlag(ctx: EmulatorContext, body: unknown): FeatureFlagWire {
  const input = parseInput(DefineFlagInput, body);
  const { world } = ctx;
  const now = world.nowIso();
  const existing = world.featureFlags.get(input.slug);
  const flag: FeatureFlagWire = {
    object: 'feature_flag',
    id: existing?.id ?? world.newId('flag'),
    slug: input.slug,
    name: input.name ?? input.slug,
    description: input.description ?? null,
    owner: null,
    tags: input.tags,
    enabled: input.enabled,
    default_value: input.default_value,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  world.featureFlags.set(flag.slug, flag);
  return { ...flag };
}

function requireFlag(ctx: EmulatorContext, slug: string): FeatureFlagWire {
  const flag = ctx.world.featureFlags.get(slug);
  if (!flag) throw notFound('FeatureFlag', slug);
  return flag;
}

export const getFeatureFlag = (ctx: EmulatorContext, slug: string) => ({ ...requireFlag(ctx, slug) });

export function listFeatureFlags(ctx: EmulatorContext, params: ListParams) {
  return paginate([...ctx.world.featureFlags.values()], params, (f) => ({ ...f }));
}

export function setFeatureFlagEnabled(ctx: EmulatorContext, slug: string, enabled: boolean): FeatureFlagWire {
  const flag = requireFlag(ctx, slug);
  flag.enabled = enabled;
  flag.updated_at = ctx.world.nowIso();
  return { ...flag };
}

/** Targets are organization ids (`org_…`) or user ids (`user_…`). */
function requireTarget(ctx: EmulatorContext, resourceId: string): void {
  if (resourceId.startsWith('user_')) requireUser(ctx, resourceId);
  else requireOrganization(ctx, resourceId);
}

export function addFeatureFlagTarget(ctx: EmulatorContext, slug: string, resourceId: string): void {
  requireFlag(ctx, slug);
  requireTarget(ctx, resourceId);
  const targets = ctx.world.featureFlagTargets.get(slug) ?? new Set<string>();
  targets.add(resourceId);
  ctx.world.featureFlagTargets.set(slug, targets);
}

export function removeFeatureFlagTarget(ctx: EmulatorContext, slug: string, resourceId: string): void {
  requireFlag(ctx, slug);
  requireTarget(ctx, resourceId);
  ctx.world.featureFlagTargets.get(slug)?.delete(resourceId);
}

function onFor(ctx: EmulatorContext, ids: string[]) {
  return [...ctx.world.featureFlags.values()].filter((f) => {
    const targets = ctx.world.featureFlagTargets.get(f.slug);
    return f.enabled && (f.default_value || ids.some((id) => targets?.has(id)));
  });
}

export function listOrganizationFeatureFlags(ctx: EmulatorContext, organizationId: string, params: ListParams) {
  requireOrganization(ctx, organizationId);
  return paginate(onFor(ctx, [organizationId]), params, (f) => ({ ...f }));
}

export function listUserFeatureFlags(ctx: EmulatorContext, userId: string, params: ListParams) {
  requireUser(ctx, userId);
  const orgs = [...ctx.world.memberships.values()]
    .filter((m) => m.user_id === userId && m.status === 'active')
    .map((m) => m.organization_id);
  return paginate(onFor(ctx, [userId, ...orgs]), params, (f) => ({ ...f }));
}
