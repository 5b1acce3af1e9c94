// Organization memberships: a user's place in an organization with a role. Statuses follow
// WorkOS: `pending` (invited, not yet accepted), `active`, `inactive` (deactivated, kept so it
// can be reactivated with its role).
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { MembershipStatus, MembershipWire } from '../state/types.ts';
import { badRequest, notFound, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { serializeMembership } from './serialize.ts';
import { requireOrganization } from './organization-lookup.ts';
import { requireUser } from './users.ts';
import { assertRoleSlugs, DEFAULT_ROLE_SLUG } from './roles.ts';

const CreateMembershipInput = z.object({
  organization_id: z.string().min(1),
  user_id: z.string().min(1),
  role_slug: z.string().min(1).optional(),
  role_slugs: z.array(z.string().min(1)).min(1).optional(),
});

const UpdateMembershipInput = z.object({
  role_slug: z.string().min(1).optional(),
  role_slugs: z.array(z.string().min(1)).min(1).optional(),
});

export function requireMembership(ctx: EmulatorContext, id: string): MembershipWire {
  const membership = ctx.world.memberships.get(id);
  if (!membership) throw notFound('OrganizationMembership', id);
  return membership;
}

export function findMembership(ctx: EmulatorContext, userId: string, orgId: string): MembershipWire | undefined {
  for (const m of ctx.world.memberships.values()) if (m.user_id === userId && m.organization_id === orgId) return m;
  return undefined;
}

function roleSlugsOf(input: {
  role_slug?: string | undefined;
  role_slugs?: string[] | undefined;
}): string[] | undefined {
  if (input.role_slug && input.role_slugs) {
    throw unprocessable([
      { field: 'role_slugs', code: 'role_slug_and_role_slugs', message: 'Provide role_slug or role_slugs, not both.' },
    ]);
  }
  if (input.role_slugs) return [...new Set(input.role_slugs)];
  if (input.role_slug) return [input.role_slug];
  return undefined;
}

function announce(ctx: EmulatorContext, type: string, membership: MembershipWire): void {
  ctx.world.emit(type, membership);
}

/** Creates a membership (or returns the error WorkOS gives for a duplicate). Used by invitations and SSO/JIT too. */
export function insertMembership(
  ctx: EmulatorContext,
  input: { userId: string; orgId: string; roleSlugs: string[]; status: MembershipStatus; directoryManaged?: boolean },
): MembershipWire {
  const { world } = ctx;
  const now = world.nowIso();
  const membership: MembershipWire = {
    object: 'organization_membership',
    id: world.newId('om'),
    user_id: input.userId,
    organization_id: input.orgId,
    status: input.status,
    role: { slug: input.roleSlugs[0] ?? DEFAULT_ROLE_SLUG },
    roles: input.roleSlugs.map((slug) => ({ slug })),
    directory_managed: input.directoryManaged ?? false,
    custom_attributes: {},
    created_at: now,
    updated_at: now,
  };
  world.memberships.set(membership.id, membership);
  announce(ctx, 'organization_membership.created', membership);
  return membership;
}

export function createMembership(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(CreateMembershipInput, body);
  requireOrganization(ctx, input.organization_id);
  requireUser(ctx, input.user_id);
  const slugs = roleSlugsOf(input) ?? [DEFAULT_ROLE_SLUG];
  assertRoleSlugs(ctx, input.organization_id, slugs, input.role_slugs ? 'role_slugs' : 'role_slug');
  if (findMembership(ctx, input.user_id, input.organization_id)) {
    throw unprocessable(
      [
        {
          field: 'user_id',
          code: 'organization_membership_already_exists',
          message: 'The user is already a member of this organization.',
        },
      ],
      'The user is already a member of this organization.',
    );
  }
  const membership = insertMembership(ctx, {
    userId: input.user_id,
    orgId: input.organization_id,
    roleSlugs: slugs,
    status: 'active',
  });
  return serializeMembership(ctx.world, membership);
}

export function getMembership(ctx: EmulatorContext, id: string) {
  return serializeMembership(ctx.world, requireMembership(ctx, id));
}

export function listMemberships(
  ctx: EmulatorContext,
  filter: { user_id?: string; organization_id?: string; statuses?: string[] },
  params: ListParams,
) {
  if (!filter.user_id && !filter.organization_id) {
    throw badRequest('missing_user_id_or_organization_id', 'Either user_id or organization_id is required.');
  }
  let items = [...ctx.world.memberships.values()];
  if (filter.user_id) items = items.filter((m) => m.user_id === filter.user_id);
  if (filter.organization_id) items = items.filter((m) => m.organization_id === filter.organization_id);
  if (filter.statuses && filter.statuses.length > 0) items = items.filter((m) => filter.statuses!.includes(m.status));
  return paginate(items, params, (m) => serializeMembership(ctx.world, m));
}

export function updateMembership(ctx: EmulatorContext, id: string, body: unknown) {
  const input = parseInput(UpdateMembershipInput, body);
  const membership = requireMembership(ctx, id);
  const slugs = roleSlugsOf(input);
  if (slugs) {
    assertRoleSlugs(ctx, membership.organization_id, slugs, input.role_slugs ? 'role_slugs' : 'role_slug');
    membership.role = { slug: slugs[0]! };
    membership.roles = slugs.map((slug) => ({ slug }));
    membership.updated_at = ctx.world.nowIso();
    announce(ctx, 'organization_membership.updated', membership);
  }
  return serializeMembership(ctx.world, membership);
}

export function deactivateMembership(ctx: EmulatorContext, id: string) {
  const membership = requireMembership(ctx, id);
  if (membership.status === 'pending')
    throw badRequest(
      'cannot_deactivate_pending_organization_membership',
      'A pending membership cannot be deactivated.',
    );
  if (membership.status !== 'inactive') {
    membership.status = 'inactive';
    membership.updated_at = ctx.world.nowIso();
    announce(ctx, 'organization_membership.updated', membership);
  }
  return serializeMembership(ctx.world, membership);
}

export function reactivateMembership(ctx: EmulatorContext, id: string) {
  const membership = requireMembership(ctx, id);
  if (membership.status === 'pending')
    throw badRequest(
      'cannot_reactivate_pending_organization_membership',
      'A pending membership cannot be reactivated.',
    );
  if (membership.status !== 'active') {
    membership.status = 'active';
    membership.updated_at = ctx.world.nowIso();
    announce(ctx, 'organization_membership.updated', membership);
  }
  return serializeMembership(ctx.world, membership);
}

export function deleteMembership(ctx: EmulatorContext, id: string): void {
  const membership = requireMembership(ctx, id);
  ctx.world.memberships.delete(id);
  // Its role assignments go with it (they would otherwise block deleting their resources).
  for (const a of [...ctx.world.roleAssignments.values()])
    if (a.organization_membership_id === id) ctx.world.roleAssignments.delete(a.id);
  announce(ctx, 'organization_membership.deleted', membership);
}
