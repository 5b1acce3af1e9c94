// SCIM resources (what the identity provider sends) to WorkOS directory users and groups (what
// WorkOS emits), and back. Pure functions: the SCIM representation is kept verbatim as the
// entity's `raw_attributes`, so a GET answers exactly what the provider last wrote, and the
// normalized WorkOS fields are derived from it on every write.

import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  scimBoolean,
  USER_SCHEMA,
  type ScimResource,
} from '../../protocols/scim/resources.ts';

/** The WorkOS fields a SCIM user determines (ids, timestamps and ownership are added by the caller). */
export interface DirectoryUserFields {
  idp_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  emails: Array<{ primary: boolean; type: string; value: string }>;
  job_title: string | null;
  username: string | null;
  state: 'active' | 'inactive';
  raw_attributes: Record<string, unknown>;
  custom_attributes: Record<string, unknown>;
}

export interface DirectoryGroupFields {
  idp_id: string;
  name: string;
  raw_attributes: Record<string, unknown>;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : [];
}

export function userFieldsFromScim(resource: ScimResource): DirectoryUserFields {
  const name = record(resource.name);
  const emails = list(resource.emails)
    .filter((e) => typeof e.value === 'string')
    .map((e) => ({ primary: scimBoolean(e.primary, false), type: str(e.type) ?? 'work', value: e.value as string }));
  const primary = emails.find((e) => e.primary) ?? emails[0];
  const userName = str(resource.userName);
  const enterprise = record(resource[ENTERPRISE_USER_SCHEMA]);
  const given = str(name.givenName);
  const family = str(name.familyName);
  const custom: Record<string, unknown> = {};
  const title = str(resource.title);
  if (title) custom.job_title = title;
  for (const key of ['department', 'division', 'costCenter', 'employeeNumber', 'organization'] as const) {
    const v = str(enterprise[key]);
    if (v) custom[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  }
  const manager = str(record(enterprise.manager).value);
  if (manager) custom.manager_id = manager;
  return {
    // WorkOS keys a SCIM user by the provider's own id, which Okta and Entra send as externalId.
    idp_id: str(resource.externalId) ?? userName ?? '',
    email: primary?.value ?? (userName?.includes('@') ? userName : null),
    first_name: given,
    last_name: family,
    name: str(name.formatted) ?? ([given, family].filter(Boolean).join(' ') || null),
    emails,
    job_title: title,
    username: userName,
    state: scimBoolean(resource.active, true) ? 'active' : 'inactive',
    raw_attributes: stripServerAttributes(resource),
    custom_attributes: custom,
  };
}

export function groupFieldsFromScim(resource: ScimResource, fallbackIdpId: string): DirectoryGroupFields {
  const { members: _members, ...rest } = stripServerAttributes(resource);
  return {
    idp_id: str(resource.externalId) ?? fallbackIdpId,
    name: str(resource.displayName) ?? '',
    raw_attributes: rest,
  };
}

/** Member ids named in a SCIM group's `members` (the `value` of each entry). */
export function memberIdsFromScim(resource: ScimResource): string[] {
  return list(resource.members)
    .map((m) => m.value)
    .filter((v): v is string => typeof v === 'string');
}

/**
 * `id` and `meta` belong to the server; a provider echoing them back must not overwrite ours.
 * `password` (Okta can push one) is dropped: raw attributes travel in every event and webhook.
 * Not a deep copy: the writers in directory-sync.ts copy the fields they store.
 */
function stripServerAttributes(resource: ScimResource): Record<string, unknown> {
  const { id: _id, meta: _meta, password: _password, ...rest } = resource;
  return rest;
}

export interface ResourceMeta {
  id: string;
  created_at: string;
  updated_at: string;
  location: string;
}

function meta(resourceType: string, m: ResourceMeta) {
  return {
    resourceType,
    created: m.created_at,
    lastModified: m.updated_at,
    location: m.location,
    version: `W/"${Date.parse(m.updated_at)}"`,
  };
}

/**
 * The user as SCIM answers it. Shallow: nested values are the stored ones, so a caller that
 * changes the resource (a PATCH) copies it first; answers are only serialized.
 */
export function scimUserFromRaw(raw: Record<string, unknown>, m: ResourceMeta, active: boolean): ScimResource {
  return { ...raw, schemas: schemasOf(raw, USER_SCHEMA), id: m.id, active, meta: meta('User', m) };
}

export function scimGroupFromRaw(
  raw: Record<string, unknown>,
  m: ResourceMeta,
  members: Array<{ value: string; display?: string }>,
): ScimResource {
  return { ...structuredClone(raw), schemas: schemasOf(raw, GROUP_SCHEMA), id: m.id, members, meta: meta('Group', m) };
}

function schemasOf(raw: Record<string, unknown>, core: string): string[] {
  const declared = Array.isArray(raw.schemas) ? raw.schemas.filter((s): s is string => typeof s === 'string') : [];
  return declared.includes(core) ? declared : [core, ...declared];
}
