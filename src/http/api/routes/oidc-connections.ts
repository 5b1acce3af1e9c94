// Direct OIDC connections of an organization (AUTH_PROVIDER=oidc): list, add (discovery runs
// first), test (discovery now) and remove. The client secret is write-only: no answer carries it.
// Who may call is the access decision's (define-api.ts): reading needs organization:read,
// changing needs sso:manage in the caller's own organization (another tenant's id answers 404).
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import type { OidcConnections } from '../../../identity/oidc/oidc-connections.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const connection = z.object({
  id: z.string(),
  organizationId: z.string(),
  name: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  domains: z.array(z.string()),
  createdAt: z.string(),
});
const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  issuer: z.string().trim().min(1).max(2048),
  clientId: z.string().trim().min(1).max(512),
  clientSecret: z.string().min(1).max(4096),
  domains: z.array(z.string().max(253)).min(1).max(50),
});
const connectionParams = z.strictObject({ orgId: idOf('org'), connectionId: idOf('conn') });
const report = z.object({
  issuer: z.string(),
  authorizationEndpoint: z.string().nullable(),
  tokenEndpoint: z.string().nullable(),
  jwksUri: z.string().nullable(),
  issParameterSupported: z.boolean(),
});

export interface OidcConnectionRouteDeps {
  connections: OidcConnections;
  /** The redirect URI to register at each identity provider. */
  redirectUri: string;
}

export function oidcConnectionRoutes(api: Api, deps: OidcConnectionRouteDeps): void {
  const { connections } = deps;
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/sso/oidc-connections',
    summary: "The organization's OIDC connections (AUTH_PROVIDER=oidc) and the redirect URI to register",
    tag: 'SSO',
    permission: 'organization:read',
    params: orgParams,
    responses: {
      200: {
        description: 'Connections',
        schema: z.object({ data: z.array(connection), redirectUri: z.string() }),
      },
    },
    handler: async ({ params }) => ({
      status: 200,
      body: { data: await connections.list(params.orgId), redirectUri: deps.redirectUri },
    }),
  });
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/sso/oidc-connections',
    summary: 'Add an OIDC connection: discovery runs first; the client secret is stored encrypted',
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    body: createBody,
    responses: {
      201: { description: 'Added', schema: connection },
      409: { description: 'An email domain is already served by another connection (SSO_DOMAIN_TAKEN)' },
      422: { description: 'Discovery failed (SSO_DISCOVERY_FAILED) or the input is invalid' },
    },
    handler: async ({ params, body, auth }) => ({
      status: 201,
      body: await connections.create(actorOf(auth), params.orgId, body),
    }),
  });
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/sso/oidc-connections/{connectionId}/test',
    summary: 'Test a connection: run OpenID discovery against its issuer now and report what it found',
    tag: 'SSO',
    permission: 'sso:manage',
    params: connectionParams,
    responses: {
      200: { description: 'Discovery succeeded', schema: report },
      422: { description: 'Discovery failed (SSO_DISCOVERY_FAILED)' },
    },
    handler: async ({ params, auth }) => ({
      status: 200,
      body: await connections.test(actorOf(auth), params.orgId, params.connectionId),
    }),
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/sso/oidc-connections/{connectionId}',
    summary: 'Remove an OIDC connection (refused while SSO is enabled with it)',
    tag: 'SSO',
    permission: 'sso:manage',
    params: connectionParams,
    responses: {
      204: { description: 'Removed' },
      409: { description: 'SSO is enabled with this connection (SSO_CONNECTION_IN_USE)' },
    },
    handler: async ({ params, auth }) => {
      await connections.remove(actorOf(auth), params.orgId, params.connectionId);
      return { status: 204, body: null };
    },
  });
}
