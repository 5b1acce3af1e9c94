// Joins that WorkOS does on read: stored entities omit data that lives elsewhere in the world
// (an organization's domains, a membership's user, a directory user's groups). Every function
// returns a fresh object so callers can never mutate the world through a response.
import type { World } from '../state/world.ts';
import type { DirectoryUserWire, MembershipWire, OrganizationWire, UserWire } from '../state/types.ts';

export function serializeUser(user: UserWire): UserWire {
  return structuredClone(user);
}

export function serializeOrganization(world: World, org: OrganizationWire) {
  const domains = [...world.organizationDomains.values()]
    .filter((d) => d.organization_id === org.id)
    .map((d) => ({ ...d }));
  return { ...structuredClone(org), domains };
}

export function serializeMembership(world: World, membership: MembershipWire) {
  const user = world.users.get(membership.user_id);
  const org = world.organizations.get(membership.organization_id);
  return {
    ...structuredClone(membership),
    organization_name: org?.name ?? '',
    ...(user ? { user: serializeUser(user) } : {}),
  };
}

export function serializeDirectoryUser(world: World, user: DirectoryUserWire) {
  const groups = [];
  for (const [groupId, members] of world.groupMembers) {
    const group = world.directoryGroups.get(groupId);
    if (group && members.has(user.id)) groups.push(structuredClone(group));
  }
  return { ...structuredClone(user), groups };
}
