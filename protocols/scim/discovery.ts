import SCIMMY from 'scimmy';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './resources.ts';

// The SCIM discovery endpoints (RFC 7644 §4): what this server supports. Okta's and Entra's
// provisioning validators read ServiceProviderConfig to decide between PATCH and PUT and whether
// to page, so each server states exactly what its router implements (bulk and sort never; ETags
// where the server keeps versions), passing what differs between them as DiscoveryOptions.

/**
 * scimmy keeps its schema definitions in module scope. Extending its User schema with the
 * standard Enterprise User extension is idempotent and the same for every directory, so it is
 * done once, here, before any request parses a user.
 */
export function ensureEnterpriseExtension(): void {
  const definition = SCIMMY.Schemas.User.definition;
  const present = definition.attributes.some((a) => (a as { id?: string }).id === ENTERPRISE_USER_SCHEMA);
  // scimmy's typings omit the Schema-class overload that its runtime (and README) accept.
  type Extension = Parameters<typeof SCIMMY.Schemas.User.extend>[0];
  if (!present) SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as unknown as Extension, false);
}

export const MAX_PAGE_SIZE = 200;

/** What differs between the SCIM servers that share these documents. */
export interface DiscoveryOptions {
  documentationUri: string;
  etagSupported: boolean;
  tokenDescription: string;
}

export function serviceProviderConfig(base: string, options: DiscoveryOptions) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: options.documentationUri,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: options.etagSupported },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: options.tokenDescription,
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function schemaDocuments(base: string): Record<string, unknown>[] {
  ensureEnterpriseExtension();
  const describe = (s: { definition: { describe(basepath?: string): unknown } }) =>
    s.definition.describe(`${base}/Schemas`) as Record<string, unknown>;
  // The User definition nests its extension; the extension is also listed on its own.
  const user = describe(SCIMMY.Schemas.User);
  return [user, describe(SCIMMY.Schemas.Group), describe(SCIMMY.Schemas.EnterpriseUser)];
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
