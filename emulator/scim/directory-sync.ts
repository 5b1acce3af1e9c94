// Changes to directory users and groups, each announced as the `dsync.*` event WorkOS would
// send. SCIM requests and seeds both go through here, so the world and the event log can never
// disagree. `emit` deep-copies the data, so an event keeps the entity as it was at that moment.
import { isDeepStrictEqual } from 'node:util';
import type { World } from '../state/world.ts';
import type { DirectoryGroupWire, DirectoryUserWire, DirectoryWire } from '../state/types.ts';
import type { DirectoryGroupFields, DirectoryUserFields } from './mapping.ts';
import { indexUserName, unindexUserName } from './user-names.ts';

export function createDirectoryUser(
  world: World,
  directory: DirectoryWire,
  fields: DirectoryUserFields,
): DirectoryUserWire {
  const now = world.nowIso();
  const user: DirectoryUserWire = {
    object: 'directory_user',
    id: world.newId('directory_user'),
    directory_id: directory.id,
    organization_id: directory.organization_id,
    ...structuredClone(fields),
    created_at: now,
    updated_at: now,
  };
  world.directoryUsers.set(user.id, user);
  indexUserName(world, user);
  world.emit('dsync.user.created', user);
  return user;
}

/**
 * The wire fields that differ, with their previous values (WorkOS `previous_attributes`).
 * For `raw_attributes` only the top-level keys that changed are listed, as WorkOS does, so a
 * receiver can tell which provider attribute moved without diffing whole documents.
 */
function previousAttributes(before: object, after: object): Record<string, unknown> {
  const prev: Record<string, unknown> = {};
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (key === 'updated_at' || isDeepStrictEqual(b[key], a[key])) continue;
    if (key === 'raw_attributes') {
      const rb = (b[key] ?? {}) as Record<string, unknown>;
      const ra = (a[key] ?? {}) as Record<string, unknown>;
      const changed: Record<string, unknown> = {};
      for (const k of new Set([...Object.keys(rb), ...Object.keys(ra)])) {
        if (!isDeepStrictEqual(rb[k], ra[k])) changed[k] = rb[k] ?? null;
      }
      prev[key] = changed;
    } else {
      prev[key] = b[key] ?? null;
    }
  }
  return prev;
}

/** Applies new fields; emits `dsync.user.updated` only when something actually changed. */
export function updateDirectoryUser(
  world: World,
  user: DirectoryUserWire,
  fields: DirectoryUserFields,
): DirectoryUserWire {
  const next: DirectoryUserWire = { ...user, ...structuredClone(fields) };
  const previous = previousAttributes(user, next);
  if (Object.keys(previous).length === 0) return user;
  next.updated_at = world.nowIso();
  world.directoryUsers.set(next.id, next);
  unindexUserName(world, user);
  indexUserName(world, next);
  world.emit('dsync.user.updated', { ...next, previous_attributes: previous });
  return next;
}

/** Removes the user and its group memberships; the deletion implies leaving every group. */
export function deleteDirectoryUser(world: World, user: DirectoryUserWire): void {
  world.directoryUsers.delete(user.id);
  unindexUserName(world, user);
  for (const members of world.groupMembers.values()) members.delete(user.id);
  world.emit('dsync.user.deleted', user);
}

export function createDirectoryGroup(
  world: World,
  directory: DirectoryWire,
  fields: DirectoryGroupFields,
  memberIds: readonly string[],
): DirectoryGroupWire {
  const now = world.nowIso();
  const id = world.newId('directory_group');
  const group: DirectoryGroupWire = {
    object: 'directory_group',
    id,
    directory_id: directory.id,
    organization_id: directory.organization_id,
    ...structuredClone(fields),
    // Without an externalId the provider knows the group only by the id we assign.
    idp_id: fields.idp_id || id,
    created_at: now,
    updated_at: now,
  };
  world.directoryGroups.set(group.id, group);
  world.groupMembers.set(group.id, new Set());
  world.emit('dsync.group.created', group);
  setGroupMembers(world, group, memberIds);
  return group;
}

/**
 * Applies new group fields (emitting `dsync.group.updated` if any changed) and then, when
 * `memberIds` is given, the membership difference as `user_added` / `user_removed` events.
 */
export function updateDirectoryGroup(
  world: World,
  group: DirectoryGroupWire,
  fields: DirectoryGroupFields,
  memberIds?: readonly string[],
): DirectoryGroupWire {
  let current = group;
  const next: DirectoryGroupWire = { ...group, ...structuredClone(fields) };
  const previous = previousAttributes(group, next);
  if (Object.keys(previous).length > 0) {
    next.updated_at = world.nowIso();
    world.directoryGroups.set(next.id, next);
    world.emit('dsync.group.updated', { ...next, previous_attributes: previous });
    current = next;
  }
  if (memberIds) setGroupMembers(world, current, memberIds);
  return current;
}

export function deleteDirectoryGroup(world: World, group: DirectoryGroupWire): void {
  world.directoryGroups.delete(group.id);
  world.groupMembers.delete(group.id);
  world.emit('dsync.group.deleted', group);
}

/**
 * Makes the group's members exactly `memberIds`. Ids that are not users of the same directory
 * are ignored: a provider may name a user it has not pushed yet, and WorkOS never reports a
 * membership for a user it does not know.
 */
export function setGroupMembers(world: World, group: DirectoryGroupWire, memberIds: readonly string[]): void {
  const members = world.groupMembers.get(group.id) ?? new Set<string>();
  world.groupMembers.set(group.id, members);
  const wanted = new Set(memberIds.filter((id) => world.directoryUsers.get(id)?.directory_id === group.directory_id));
  for (const id of [...members]) {
    if (wanted.has(id)) continue;
    members.delete(id);
    const user = world.directoryUsers.get(id);
    if (user) world.emit('dsync.group.user_removed', { directory_id: group.directory_id, user, group });
  }
  for (const id of wanted) {
    if (members.has(id)) continue;
    members.add(id);
    const user = world.directoryUsers.get(id) as DirectoryUserWire;
    world.emit('dsync.group.user_added', { directory_id: group.directory_id, user, group });
  }
}
