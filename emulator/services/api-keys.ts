// API keys an application issues to its customers (organization keys, and user keys scoped to one
// organization). The value is shown once, at creation; only its hash is kept, and validation
// compares hashes, so the store never holds a usable key (a leaked state file leaks no keys).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { ApiKeyOwner, ApiKeyWire } from '../state/platform-types.ts';
import { notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';
import { requireUser } from './users.ts';
import { findMembership } from './memberships.ts';
import { EmulatorError } from './errors.ts';

const CreateInput = z.object({ name: z.string().min(1).max(256), permissions: z.array(z.string().min(1)).default([]) });
const CreateUserKeyInput = CreateInput.extend({ organization_id: z.string().min(1) });
const ValidateInput = z.object({ value: z.string().min(1) });

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

function create(
  ctx: EmulatorContext,
  owner: ApiKeyOwner,
  input: { name: string; permissions: string[] },
): ApiKeyWire & { value: string } {
  const { world } = ctx;
  const value = `sk_${owner.type === 'user' ? 'user' : 'org'}_${randomBytes(24).toString('base64url')}`;
  const now = world.nowIso();
  const wire: ApiKeyWire = {
    object: 'api_key',
    id: world.newId('api_key'),
    owner,
    name: input.name,
    obfuscated_value: `${value.slice(0, 7)}…${value.slice(-4)}`,
    last_used_at: null,
    permissions: input.permissions,
    created_at: now,
    updated_at: now,
  };
  world.apiKeys.set(wire.id, { wire, value_hash: hash(value) });
  world.emit('api_key.created', wire);
  return { ...structuredClone(wire), value };
}

export function createOrganizationApiKey(ctx: EmulatorContext, organizationId: string, body: unknown) {
  requireOrganization(ctx, organizationId);
  return create(ctx, { type: 'organization', id: organizationId }, parseInput(CreateInput, body));
}

export function createUserApiKey(ctx: EmulatorContext, userId: string, body: unknown) {
  const input = parseInput(CreateUserKeyInput, body);
  requireUser(ctx, userId);
  requireOrganization(ctx, input.organization_id);
  if (findMembership(ctx, userId, input.organization_id)?.status !== 'active') {
    throw new EmulatorError(422, {
      code: 'invalid_request_parameters',
      message: 'The user is not an active member of that organization.',
      errors: [{ field: 'organization_id', code: 'not_a_member' }],
    });
  }
  return create(ctx, { type: 'user', id: userId, organization_id: input.organization_id }, input);
}

export function listOrganizationApiKeys(ctx: EmulatorContext, organizationId: string, params: ListParams) {
  requireOrganization(ctx, organizationId);
  const keys = [...ctx.world.apiKeys.values()]
    .map((k) => k.wire)
    .filter((k) => k.owner.type === 'organization' && k.owner.id === organizationId);
  return paginate(keys, params, (k) => structuredClone(k));
}

export function listUserApiKeys(
  ctx: EmulatorContext,
  userId: string,
  filter: { organization_id?: string },
  params: ListParams,
) {
  requireUser(ctx, userId);
  const keys = [...ctx.world.apiKeys.values()]
    .map((k) => k.wire)
    .filter(
      (k) =>
        k.owner.type === 'user' &&
        k.owner.id === userId &&
        (!filter.organization_id || k.owner.organization_id === filter.organization_id),
    );
  return paginate(keys, params, (k) => structuredClone(k));
}

export function deleteApiKey(ctx: EmulatorContext, id: string): void {
  const record = ctx.world.apiKeys.get(id);
  if (!record) throw notFound('ApiKey', id);
  ctx.world.apiKeys.delete(id);
  ctx.world.emit('api_key.revoked', record.wire);
}

/** `{ api_key: null }` for an unknown or revoked value, as WorkOS answers (no 404 to probe with). */
export function validateApiKey(ctx: EmulatorContext, body: unknown): { api_key: ApiKeyWire | null } {
  const wanted = hash(parseInput(ValidateInput, body).value);
  for (const record of ctx.world.apiKeys.values()) {
    if (record.value_hash !== wanted) continue;
    record.wire.last_used_at = ctx.world.nowIso();
    return { api_key: structuredClone(record.wire) };
  }
  return { api_key: null };
}
