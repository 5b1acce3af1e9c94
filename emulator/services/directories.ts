// Directory sync, read side: directories, directory users and groups as the SCIM side
// (emulator/scim) writes them. `createDirectory` is shared with the admin portal and the seed.
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { DirectoryWire } from '../state/types.ts';
import { notFound, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';
import { serializeDirectoryUser } from './serialize.ts';

export const DIRECTORY_TYPES = [
  'azure scim v2.0',
  'bamboohr',
  'breathe hr',
  'cezanne hr',
  'cyberark scim v2.0',
  'fourth hr',
  'generic scim v2.0',
  'gsuite directory',
  'hibob',
  'sailpoint scim v2.0',
  'jump cloud scim v2.0',
  'okta scim v2.0',
  'onelogin scim v2.0',
  'people hr',
  'personio',
  'pingfederate scim v2.0',
  'rippling scim v2.0',
  's3',
  'sftp',
  'sftp workday',
  'workday',
] as const;

const CreateDirectoryInput = z.object({
  organization_id: z.string().min(1),
  name: z.string().min(1).optional(),
  type: z.enum(DIRECTORY_TYPES).default('generic scim v2.0'),
  /** Fix the SCIM bearer token (seeds use this so a demo IdP config stays valid across restarts). */
  scim_token: z.string().min(16).optional(),
});

function requireDirectory(ctx: EmulatorContext, id: string): DirectoryWire {
  const directory = ctx.world.directories.get(id);
  if (!directory) throw notFound('Directory', id);
  return directory;
}

/** The shape `dsync.activated` / `dsync.deleted` carry. */
function directoryEventData(ctx: EmulatorContext, directory: DirectoryWire) {
  const domains = [...ctx.world.organizationDomains.values()]
    .filter((d) => d.organization_id === directory.organization_id)
    .map((d) => ({ object: 'organization_domain', id: d.id, domain: d.domain }));
  // Events report the directory's activation state (active/inactive), not its link status.
  const state = directory.state === 'linked' ? 'active' : directory.state === 'unlinked' ? 'inactive' : directory.state;
  return { ...structuredClone(directory), state, domains };
}

/** Where an identity provider sends SCIM requests for a directory (served by emulator/scim). */
export function scimBaseUrl(ctx: EmulatorContext, directoryId: string): string {
  return `${ctx.config.baseUrl}/scim/v2/${directoryId}`;
}

/** Creates a linked directory with a SCIM bearer token; announces `dsync.activated`. */
export function createDirectory(
  ctx: EmulatorContext,
  body: unknown,
): { directory: DirectoryWire; scim_url: string; scim_token: string } {
  const input = parseInput(CreateDirectoryInput, body);
  const org = requireOrganization(ctx, input.organization_id);
  const { world } = ctx;
  const now = world.nowIso();
  const id = world.newId('directory');
  const domain = [...world.organizationDomains.values()].find((d) => d.organization_id === org.id)?.domain;
  const directory: DirectoryWire = {
    object: 'directory',
    id,
    organization_id: org.id,
    external_key: randomBytes(8).toString('hex'),
    type: input.type,
    state: 'linked',
    name: input.name ?? `${org.name} directory`,
    ...(domain ? { domain } : {}),
    metadata: { users: { active: 0, inactive: 0 }, groups: 0 },
    created_at: now,
    updated_at: now,
  };
  const token = input.scim_token ?? randomBytes(24).toString('base64url');
  world.directories.set(id, directory);
  world.scimTokens.set(id, token);
  world.emit('dsync.activated', directoryEventData(ctx, directory));
  return { directory: structuredClone(directory), scim_url: scimBaseUrl(ctx, id), scim_token: token };
}

/** A directory as the API shows it: `metadata` counts its users by state and its groups now. */
function serializeDirectory(ctx: EmulatorContext, directory: DirectoryWire): DirectoryWire {
  const users = { active: 0, inactive: 0 };
  for (const u of ctx.world.directoryUsers.values()) {
    if (u.directory_id === directory.id) users[u.state === 'active' ? 'active' : 'inactive']++;
  }
  let groups = 0;
  for (const g of ctx.world.directoryGroups.values()) if (g.directory_id === directory.id) groups++;
  return { ...structuredClone(directory), metadata: { users, groups } };
}

export function getDirectory(ctx: EmulatorContext, id: string): DirectoryWire {
  return serializeDirectory(ctx, requireDirectory(ctx, id));
}

export function listDirectories(
  ctx: EmulatorContext,
  filter: { organization_id?: string; search?: string; domain?: string },
  params: ListParams,
) {
  let items = [...ctx.world.directories.values()];
  if (filter.organization_id) items = items.filter((d) => d.organization_id === filter.organization_id);
  if (filter.search) items = items.filter((d) => d.name.toLowerCase().includes(filter.search!.toLowerCase()));
  if (filter.domain) items = items.filter((d) => d.domain === filter.domain);
  return paginate(items, params, (d) => serializeDirectory(ctx, d));
}

/** Deleting a directory removes its users and groups and announces `dsync.deleted`. */
export function deleteDirectory(ctx: EmulatorContext, id: string): void {
  const directory = requireDirectory(ctx, id);
  const { world } = ctx;
  for (const u of [...world.directoryUsers.values()]) if (u.directory_id === id) world.directoryUsers.delete(u.id);
  for (const g of [...world.directoryGroups.values()]) {
    if (g.directory_id !== id) continue;
    world.directoryGroups.delete(g.id);
    world.groupMembers.delete(g.id);
  }
  world.directories.delete(id);
  world.scimTokens.delete(id);
  world.emit('dsync.deleted', { ...directoryEventData(ctx, directory), state: 'deleting' });
}

export function getDirectoryUser(ctx: EmulatorContext, id: string) {
  const user = ctx.world.directoryUsers.get(id);
  if (!user) throw notFound('DirectoryUser', id);
  return serializeDirectoryUser(ctx.world, user);
}

export function listDirectoryUsers(
  ctx: EmulatorContext,
  filter: { directory?: string; group?: string },
  params: ListParams,
) {
  if (!filter.directory && !filter.group) {
    throw unprocessable([
      { field: 'directory', code: 'directory_or_group_required', message: 'Either directory or group is required.' },
    ]);
  }
  let items = [...ctx.world.directoryUsers.values()];
  if (filter.directory) items = items.filter((u) => u.directory_id === filter.directory);
  if (filter.group) {
    const members = ctx.world.groupMembers.get(filter.group) ?? new Set<string>();
    items = items.filter((u) => members.has(u.id));
  }
  return paginate(items, params, (u) => serializeDirectoryUser(ctx.world, u));
}

export function getDirectoryGroup(ctx: EmulatorContext, id: string) {
  const group = ctx.world.directoryGroups.get(id);
  if (!group) throw notFound('DirectoryGroup', id);
  return structuredClone(group);
}

export function listDirectoryGroups(
  ctx: EmulatorContext,
  filter: { directory?: string; user?: string },
  params: ListParams,
) {
  if (!filter.directory && !filter.user) {
    throw unprocessable([
      { field: 'directory', code: 'directory_or_user_required', message: 'Either directory or user is required.' },
    ]);
  }
  let items = [...ctx.world.directoryGroups.values()];
  if (filter.directory) items = items.filter((g) => g.directory_id === filter.directory);
  if (filter.user) items = items.filter((g) => ctx.world.groupMembers.get(g.id)?.has(filter.user!) ?? false);
  return paginate(items, params, (g) => structuredClone(g));
}
