// The SCIM resource model both SCIM servers share (RFC 7643): the schema URNs, a resource as plain
// JSON, and the lenient boolean reading identity providers need. What a resource becomes once
// stored is each server's own business and lives beside it.
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type ScimResource = Record<string, unknown>;

/** Entra sends booleans as the strings "True"/"False" in places; read either. */
export function scimBoolean(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (value.toLowerCase() === 'true') return true;
    if (value.toLowerCase() === 'false') return false;
  }
  return fallback;
}
