// The install's permission catalogue: Gatehouse's own permissions (core/permissions.ts) plus the ones
// the app behind it declares in GATEHOUSE_APP_PERMISSIONS_FILE (`notes:write`). Built once at start
// from the Config and handed to every place that turns stored slugs into permissions (resolvers,
// roles, the ceiling), so "what is a permission here" is decided in one object, not a global.
//
// A slug outside the catalogue grants nothing: a role row that still names a permission the app
// stopped declaring keeps the slug (nothing is rewritten), but no credential carries it.
// Pure: the file is read by config.ts; this validates what it parsed.
//
// Exported API: parseAppPermissions(unknown) -> AppPermission[]  (throws Error with one line)
//               createPermissionCatalogue(appPermissions) -> PermissionCatalogue
import { BUILT_IN_ROLES, PERMISSIONS } from './permissions.ts';

/** `app:action`: lower case, one colon; the part before it names the app's area (`notes`). */
export const APP_PERMISSION_SLUG = /^[a-z][a-z0-9_-]*:[a-z][a-z0-9_.-]*$/;

export type PermissionSource = 'gatehouse' | 'app';

export interface AppPermission {
  slug: string;
  description: string;
  /** Built-in roles that include it by default; `admin` always does, whatever this says. */
  roles: readonly string[];
}

export interface PermissionEntry {
  slug: string;
  description: string;
  source: PermissionSource;
}

export interface PermissionCatalogue {
  /** Every permission of this install: Gatehouse's first, then the app's in file order. */
  readonly entries: readonly PermissionEntry[];
  /** Every slug, same order: the full set (an operator's or a visiting super-admin's ceiling). */
  readonly all: readonly string[];
  has(slug: string): boolean;
  sourceOf(slug: string): PermissionSource | undefined;
  /**
   * What a role grants: the slugs it stores that this install knows, and for a built-in role also
   * the app permissions that role includes by default. Unknown or removed slugs grant nothing.
   */
  grantedBy(role: { slug: string; builtIn: boolean }, stored: readonly string[]): string[];
}

const BUILT_IN_SLUGS = new Set(BUILT_IN_ROLES.map((r) => r.slug));

function fail(where: string, what: string): never {
  throw new Error(`${where}: ${what}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a parsed permissions file (`{ permissions: [{ slug, description, roles? }] }`). Every
 * refusal is one line naming the entry: a bad slug, a duplicate, one of Gatehouse's own slugs, an
 * unknown built-in role, or an unexpected key (a typo such as `role:` would otherwise grant nothing).
 */
export function parseAppPermissions(value: unknown): AppPermission[] {
  if (!isRecord(value) || !Array.isArray(value.permissions)) fail('file', 'expected a top-level `permissions:` list');
  const extra = Object.keys(value).filter((k) => k !== 'permissions');
  if (extra.length) fail('file', `unexpected top-level key "${extra[0]}" (only \`permissions\`)`);
  const seen = new Set<string>();
  return value.permissions.map((entry: unknown, i: number): AppPermission => {
    const where = `permissions[${i}]`;
    if (!isRecord(entry)) fail(where, 'expected an object with slug and description');
    const unknownKey = Object.keys(entry).find((k) => !['slug', 'description', 'roles'].includes(k));
    if (unknownKey) fail(where, `unexpected key "${unknownKey}" (expected slug, description, roles)`);
    const { slug, description, roles = [] } = entry;
    if (typeof slug !== 'string' || !APP_PERMISSION_SLUG.test(slug))
      fail(where, `slug ${JSON.stringify(slug)} must match ${APP_PERMISSION_SLUG.source} (e.g. notes:write)`);
    if (Object.hasOwn(PERMISSIONS, slug)) fail(where, `slug "${slug}" is one of Gatehouse's own permissions`);
    if (seen.has(slug)) fail(where, `slug "${slug}" is declared twice`);
    seen.add(slug);
    if (typeof description !== 'string' || description.trim() === '' || description.length > 200)
      fail(where, `"${slug}" needs a description of 1 to 200 characters`);
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))
      fail(where, `"${slug}" roles must be a list of built-in role slugs`);
    const unknownRole = (roles as string[]).find((r) => !BUILT_IN_SLUGS.has(r));
    if (unknownRole !== undefined)
      fail(where, `"${slug}" names role "${unknownRole}"; only built-in roles (${[...BUILT_IN_SLUGS].join(', ')})`);
    return { slug, description: description.trim(), roles: [...new Set(roles as string[])] };
  });
}

export function createPermissionCatalogue(appPermissions: readonly AppPermission[] = []): PermissionCatalogue {
  const entries: PermissionEntry[] = [
    ...Object.entries(PERMISSIONS).map(([slug, description]) => ({ slug, description, source: 'gatehouse' as const })),
    ...appPermissions.map((p) => ({ slug: p.slug, description: p.description, source: 'app' as const })),
  ];
  const bySlug = new Map(entries.map((e) => [e.slug, e] as const));
  if (bySlug.size !== entries.length) throw new TypeError('app permissions repeat a slug');
  // The app permissions each built-in role includes by default; admin includes every one.
  const defaults = new Map<string, string[]>();
  for (const role of BUILT_IN_SLUGS) {
    defaults.set(
      role,
      appPermissions.filter((p) => role === 'admin' || p.roles.includes(role)).map((p) => p.slug),
    );
  }
  const all = entries.map((e) => e.slug);
  return Object.freeze({
    entries: Object.freeze(entries),
    all: Object.freeze(all),
    has: (slug: string) => bySlug.has(slug),
    sourceOf: (slug: string) => bySlug.get(slug)?.source,
    grantedBy(role: { slug: string; builtIn: boolean }, stored: readonly string[]): string[] {
      const extra = role.builtIn ? (defaults.get(role.slug) ?? []) : [];
      return [...new Set([...stored, ...extra])].filter((slug) => bySlug.has(slug));
    },
  });
}
