// How a Gatehouse role slug is spelled at WorkOS, both ways, decided here alone. WorkOS knows two
// kinds of role: environment roles (Gatehouse's built-in `admin` and `member`) and organization
// roles, whose slug must begin with `org-`. A Gatehouse custom role is an organization role at
// WorkOS: `org-<slug>`, or its own slug when that already begins with `org-` (which is how roles
// made at WorkOS and mirrored by reconciliation are named here). Two Gatehouse roles of one
// organization must then never share a WorkOS slug: `x` and `org-x` are twins, and only one of
// them may exist (createRole refuses the second). With that rule a WorkOS slug reads back to
// exactly one Gatehouse role, given which custom roles the organization has.
import { BUILT_IN_ROLES } from './permissions.ts';

export const PROVIDER_ROLE_PREFIX = 'org-';
/** WorkOS caps role slugs at 48 characters. */
export const PROVIDER_ROLE_SLUG_MAX = 48;

const BUILT_IN = new Set(BUILT_IN_ROLES.map((r) => r.slug));

export function isBuiltInRoleSlug(slug: string): boolean {
  return BUILT_IN.has(slug);
}

/** The slug WorkOS knows a Gatehouse role by. */
export function providerRoleSlug(slug: string): string {
  return BUILT_IN.has(slug) || slug.startsWith(PROVIDER_ROLE_PREFIX) ? slug : `${PROVIDER_ROLE_PREFIX}${slug}`;
}

/** The other custom role slug that WorkOS would spell the same way (null for built-in roles). */
export function twinRoleSlug(slug: string): string | null {
  if (BUILT_IN.has(slug)) return null;
  if (!slug.startsWith(PROVIDER_ROLE_PREFIX)) return `${PROVIDER_ROLE_PREFIX}${slug}`;
  const bare = slug.slice(PROVIDER_ROLE_PREFIX.length);
  return bare.length > 0 && !BUILT_IN.has(bare) ? bare : null;
}

/**
 * The Gatehouse role a WorkOS role slug names in an organization whose custom roles `isCustomRole`
 * answers for. A slug Gatehouse does not know is kept as WorkOS spells it (reconciliation mirrors
 * roles made at WorkOS under that slug).
 */
export function gatehouseRoleSlug(providerSlug: string, isCustomRole: (slug: string) => boolean): string {
  if (!providerSlug.startsWith(PROVIDER_ROLE_PREFIX) || isCustomRole(providerSlug)) return providerSlug;
  const bare = providerSlug.slice(PROVIDER_ROLE_PREFIX.length);
  return !BUILT_IN.has(bare) && isCustomRole(bare) ? bare : providerSlug;
}
