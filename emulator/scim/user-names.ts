// userName -> directory users, per directory: SCIM's uniqueness check and Okta's
// `filter=userName eq "…"` look-up before every create would otherwise scan every directory user
// of the world on each request, quadratic over a large push. Every directory user write goes through
// directory-sync.ts, which keeps this index; an entry whose user has gone (a deleted directory, a
// world reset) is dropped when it is next looked up, so the index never answers what the world
// does not hold. Keyed by the world, no global state.
import type { World } from '../state/world.ts';
import type { DirectoryUserWire } from '../state/types.ts';

const indexes = new WeakMap<World, Map<string, Map<string, Set<string>>>>();

function namesOf(world: World, directoryId: string): Map<string, Set<string>> {
  let byDirectory = indexes.get(world);
  if (!byDirectory) {
    byDirectory = new Map();
    indexes.set(world, byDirectory);
  }
  let names = byDirectory.get(directoryId);
  if (!names) {
    names = new Map();
    byDirectory.set(directoryId, names);
  }
  return names;
}

const keyOf = (userName: string) => userName.toLowerCase();

export function indexUserName(world: World, user: DirectoryUserWire): void {
  if (!user.username) return;
  const names = namesOf(world, user.directory_id);
  const ids = names.get(keyOf(user.username)) ?? new Set<string>();
  ids.add(user.id);
  names.set(keyOf(user.username), ids);
}

export function unindexUserName(world: World, user: DirectoryUserWire): void {
  if (!user.username) return;
  const names = namesOf(world, user.directory_id);
  const ids = names.get(keyOf(user.username));
  ids?.delete(user.id);
  if (ids?.size === 0) names.delete(keyOf(user.username));
}

/** The directory's users whose userName equals `userName` (case-insensitive, as SCIM compares it). */
export function usersNamed(world: World, directoryId: string, userName: string): DirectoryUserWire[] {
  const names = namesOf(world, directoryId);
  const ids = names.get(keyOf(userName));
  if (!ids) return [];
  const found: DirectoryUserWire[] = [];
  for (const id of [...ids]) {
    const user = world.directoryUsers.get(id);
    if (user && user.directory_id === directoryId && user.username && keyOf(user.username) === keyOf(userName))
      found.push(user);
    else ids.delete(id);
  }
  if (ids.size === 0) names.delete(keyOf(userName));
  return found;
}
