// API keys: create (the secret is in the answer once and never again), list, revoke. A key is
// scoped to this organization with a role no higher than its creator's (no god tokens), so a
// super-admin visiting another tenant cannot mint keys there.
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../../access/api-keys.ts';
import { enforceGrant, granterOf } from '../../../access/ceiling.ts';
import type { PermissionCatalogue } from '../../../core/permission-catalogue.ts';
import { AppError } from '../../../core/errors.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const apiKey = z.object({
  id: z.string(),
  name: z.string(),
  environment: z.enum(['live', 'test']),
  prefix: z.string(),
  role: z.string(),
  ownership: z.enum(['personal', 'organization']),
  ownerUserId: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/),
  ownership: z.enum(['personal', 'organization']).default('organization'),
  environment: z.enum(['live', 'test']).default('live'),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export function apiKeyView(k: ApiKey): z.output<typeof apiKey> {
  return {
    id: k.id,
    name: k.name,
    environment: k.environment,
    prefix: k.displayPrefix,
    role: k.role,
    ownership: k.ownership,
    ownerUserId: k.ownerUserId,
    createdAt: k.createdAt.toISOString(),
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export function apiKeyRoutes(api: Api, store: Store, catalogue: PermissionCatalogue): void {
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/api-keys',
    summary: 'List API keys (prefix, owner, role, created, last used, expiry)',
    tag: 'API keys',
    permission: 'api_keys:manage',
    params: orgParams,
    responses: { 200: { description: 'Keys, newest first', schema: z.object({ data: z.array(apiKey) }) } },
    handler: async ({ params }) => ({
      status: 200,
      body: { data: (await inTenant(store.db, params.orgId, (tx) => listApiKeys(tx, params.orgId))).map(apiKeyView) },
    }),
  });
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/api-keys',
    summary: 'Create an API key; the secret is shown in this answer only',
    tag: 'API keys',
    permission: 'api_keys:manage',
    params: orgParams,
    body: createBody,
    ownOrganizationOnly: true,
    responses: {
      201: { description: 'The key and its secret', schema: z.object({ apiKey, secret: z.string() }) },
      403: { description: "Role higher than the creator's, or an impersonated session" },
    },
    handler: async ({ params, body, auth, c }) => {
      await enforceGrant(store.db, params.orgId, granterOf(auth, params.orgId, catalogue), {
        path: 'api_key',
        roleSlug: body.role,
      });
      const { apiKey: key, secret } = await inTenant(store.db, params.orgId, (tx) =>
        createApiKey(tx, {
          creator: auth,
          name: body.name,
          role: body.role,
          ownership: body.ownership,
          environment: body.environment,
          expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
          catalogue,
        }),
      );
      c.header('cache-control', 'no-store');
      return { status: 201, body: { apiKey: apiKeyView(key), secret } };
    },
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/api-keys/{keyId}',
    summary: 'Revoke an API key, at once on every instance',
    tag: 'API keys',
    permission: 'api_keys:manage',
    params: z.strictObject({ orgId: idOf('org'), keyId: idOf('key') }),
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ params, auth }) => {
      const revoked = await inTenant(store.db, params.orgId, (tx) =>
        revokeApiKey(tx, { organizationId: params.orgId, apiKeyId: params.keyId, actor: actorOf(auth) }),
      );
      if (!revoked) throw new AppError('RESOURCE_NOT_FOUND', 'No active API key with that id in this organization');
      return { status: 204, body: null };
    },
  });
}
