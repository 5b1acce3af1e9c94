// Groups an application keeps inside an organization (teams), holding organization memberships.
// A membership joins only groups of its own organization; a deleted group takes its links along,
// and a deleted membership drops out of every group's list.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { GroupWire } from '../state/platform-types.ts';
import { notFound, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';
import { requireMembership } from './memberships.ts';
import { serializeMembership } from './serialize.ts';

const CreateInput = z.object({ name: z.string().min(1).max(256), description: z.string().max(150).nullish() });
const UpdateInput = CreateInput.partial();

function requireGroup(ctx: EmulatorContext, organizationId: string, groupId: string): GroupWire {
  requireOrganization(ctx, organizationId);
  const group = ctx.world.groups.get(groupId);
  if (!group || group.organization_id !== organizationId) throw notFound('Group', groupId);
  return group;
}

export function createGroup(ctx: EmulatorContext, organizationId: string, body: unknown): GroupWire {
  const input = parseInput(CreateInput, body);
  requireOrganization(ctx, organizationId);
  const now = ctx.world.nowIso();
  const group: GroupWire = {
    object: 'group',
    id: ctx.world.newId('group'),
    organization_id: organizationId,
    name: input.name,
    description: input.description ?? null,
    created_at: now,
    updated_at: now,
  };
  ctx.world.groups.set(group.id, group);
  return { ...group };
}

export const getGroup = (ctx: EmulatorContext, organizationId: string, groupId: string) => ({
  ...requireGroup(ctx, organizationId, groupId),
});

export function listGroups(ctx: EmulatorContext, organizationId: string, params: ListParams) {
  requireOrganization(ctx, organizationId);
  return paginate(
    [...ctx.world.groups.values()].filter((g) => g.organization_id === organizationId),
    params,
    (g) => ({ ...g }),
  );
}

export function updateGroup(ctx: EmulatorContext, organizationId: string, groupId: string, body: unknown): GroupWire {
  const input = parseInput(UpdateInput, body);
  const group = requireGroup(ctx, organizationId, groupId);
  if (input.name !== undefined) group.name = input.name;
  if (input.description !== undefined) group.description = input.description;
  group.updated_at = ctx.world.nowIso();
  return { ...group };
}

export function deleteGroup(ctx: EmulatorContext, organizationId: string, groupId: string): void {
  requireGroup(ctx, organizationId, groupId);
  ctx.world.groups.delete(groupId);
  ctx.world.groupMemberships.delete(groupId);
}

export function addGroupMembership(
  ctx: EmulatorContext,
  organizationId: string,
  groupId: string,
  body: unknown,
): GroupWire {
  const { organization_membership_id: omId } = parseInput(
    z.object({ organization_membership_id: z.string().min(1) }),
    body,
  );
  const group = requireGroup(ctx, organizationId, groupId);
  const membership = requireMembership(ctx, omId);
  if (membership.organization_id !== organizationId) {
    throw unprocessable([
      {
        field: 'organization_membership_id',
        code: 'membership_in_other_organization',
        message: 'The membership belongs to another organization.',
      },
    ]);
  }
  const members = ctx.world.groupMemberships.get(groupId) ?? new Set<string>();
  members.add(omId);
  ctx.world.groupMemberships.set(groupId, members);
  return { ...group };
}

export function removeGroupMembership(
  ctx: EmulatorContext,
  organizationId: string,
  groupId: string,
  omId: string,
): void {
  requireGroup(ctx, organizationId, groupId);
  if (!ctx.world.groupMemberships.get(groupId)?.delete(omId)) throw notFound('GroupMembership', omId);
}

export function listGroupMemberships(
  ctx: EmulatorContext,
  organizationId: string,
  groupId: string,
  params: ListParams,
) {
  requireGroup(ctx, organizationId, groupId);
  const ids = ctx.world.groupMemberships.get(groupId) ?? new Set<string>();
  const memberships = [...ids].map((id) => ctx.world.memberships.get(id)).filter((m) => m !== undefined);
  return paginate(memberships, params, (m) => serializeMembership(ctx.world, m));
}

export function listMembershipGroups(ctx: EmulatorContext, omId: string, params: ListParams) {
  requireMembership(ctx, omId);
  const groups = [...ctx.world.groups.values()].filter((g) => ctx.world.groupMemberships.get(g.id)?.has(omId));
  return paginate(groups, params, (g) => ({ ...g }));
}
