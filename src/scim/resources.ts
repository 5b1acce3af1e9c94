// SCIM resources (what the identity provider sends) to the wire shapes the mirror's dsync.*
// handlers read, and stored rows back to SCIM. Pure functions. The SCIM representation is kept
// verbatim (minus server attributes and any pushed password) so a GET answers what the provider
// last wrote; the mirror's normalized fields are derived from it on every write.
import { GROUP_SCHEMA, scimBoolean, USER_SCHEMA, type ScimResource } from '../../protocols/scim/resources.ts';

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The directory user fields the mirror keeps (dsync.user.* `data`, less ids and ownership). */
export interface UserFields {
  userName: string;
  externalId: string | null;
  active: boolean;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  emails: Array<{ primary: boolean; value: string }>;
}

export function userFields(resource: ScimResource): UserFields {
  const name = record(resource.name);
  const emails = (Array.isArray(resource.emails) ? resource.emails : [])
    .map(record)
    .filter((e) => typeof e.value === 'string' && e.value !== '')
    .map((e) => ({ primary: scimBoolean(e.primary, false), value: e.value as string }));
  const userName = str(resource.userName) ?? '';
  const primary = emails.find((e) => e.primary) ?? emails[0];
  return {
    userName,
    externalId: str(resource.externalId),
    active: scimBoolean(resource.active, true),
    email: primary?.value ?? (userName.includes('@') ? userName : null),
    firstName: str(name.givenName),
    lastName: str(name.familyName),
    emails,
  };
}

/** Member ids named in a SCIM group's `members` (the `value` of each entry), without repeats. */
export function memberIds(resource: ScimResource): string[] {
  const list = Array.isArray(resource.members) ? resource.members.map(record) : [];
  return [...new Set(list.map((m) => m.value).filter((v): v is string => typeof v === 'string'))];
}

/**
 * `id` and `meta` belong to the server; a provider echoing them back must not overwrite ours.
 * `password` (Okta can push one) is dropped: Gatehouse never signs anyone in with it, and a stored
 * copy would be a secret at rest. Group members live in the mirror, not in the stored document.
 */
export function storedUser(resource: ScimResource): Record<string, unknown> {
  const { id: _id, meta: _meta, password: _password, active: _active, ...rest } = resource;
  return structuredClone(rest);
}

export function storedGroup(resource: ScimResource): Record<string, unknown> {
  const { id: _id, meta: _meta, members: _members, ...rest } = resource;
  return structuredClone(rest);
}

export interface ResourceMeta {
  id: string;
  created: Date;
  lastModified: Date;
  version: number;
  location: string;
}

/** A weak ETag from the row's version counter: cheap, and changes on every write. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

function meta(resourceType: string, m: ResourceMeta) {
  return {
    resourceType,
    created: m.created.toISOString(),
    lastModified: m.lastModified.toISOString(),
    location: m.location,
    version: etagOf(m.version),
  };
}

function schemasOf(stored: Record<string, unknown>, core: string): string[] {
  const declared = Array.isArray(stored.schemas)
    ? stored.schemas.filter((s): s is string => typeof s === 'string')
    : [];
  return declared.includes(core) ? declared : [core, ...declared];
}

export function scimUser(stored: Record<string, unknown>, m: ResourceMeta, active: boolean): ScimResource {
  return { ...stored, schemas: schemasOf(stored, USER_SCHEMA), id: m.id, active, meta: meta('User', m) };
}

export function scimGroup(
  stored: Record<string, unknown>,
  m: ResourceMeta,
  members: Array<{ value: string; display?: string }> | undefined,
): ScimResource {
  return {
    ...stored,
    schemas: schemasOf(stored, GROUP_SCHEMA),
    id: m.id,
    ...(members ? { members } : {}),
    meta: meta('Group', m),
  };
}
