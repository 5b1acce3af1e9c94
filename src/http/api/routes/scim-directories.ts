// SCIM directories Gatehouse serves itself (src/scim/): create one (its base URL and bearer token
// in the answer, the token once and never again), list, rotate the token with an overlap window,
// revoke every token, delete (the mirror deprovisions everyone it brought in).
// Threat: a directory provisions people with the organization's default role, so creating one is
// a grant of that role; the permission ceiling applies as for an invitation (no admin who could
// not grant the default role may build a machine that does).
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { enforceGrant, granterOf } from '../../../access/ceiling.ts';
import type { AccessRevoker } from '../../../mirror/context.ts';
import type { PermissionCatalogue } from '../../../core/permission-catalogue.ts';
import {
  createScimDirectory,
  deleteScimDirectory,
  listScimDirectories,
  MAX_ROTATION_OVERLAP_SECONDS,
  revokeScimTokens,
  rotateScimToken,
  type ScimDirectorySummary,
} from '../../../scim/directories.ts';
import { scimBaseUrl } from '../../../scim/router.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const directory = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  createdAt: z.string(),
  users: z.number().int(),
  groups: z.number().int(),
  tokens: z.array(
    z.object({
      id: z.string(),
      prefix: z.string(),
      createdAt: z.string(),
      expiresAt: z.string().nullable(),
      lastUsedAt: z.string().nullable(),
    }),
  ),
});
const withToken = z.object({ directory, token: z.string() });
const directoryParams = z.strictObject({ orgId: idOf('org'), directoryId: idOf('directory') });

export function scimDirectoryView(d: ScimDirectorySummary, publicUrl: string): z.output<typeof directory> {
  return {
    id: d.id,
    name: d.name,
    baseUrl: scimBaseUrl(publicUrl),
    createdAt: d.createdAt.toISOString(),
    users: d.users,
    groups: d.groups,
    tokens: d.tokens.map((t) => ({
      id: t.id,
      prefix: t.prefix,
      createdAt: t.createdAt.toISOString(),
      expiresAt: t.expiresAt?.toISOString() ?? null,
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    })),
  };
}

export function scimDirectoryRoutes(
  api: Api,
  deps: { store: Store; access: AccessRevoker; publicUrl: string; permissions: PermissionCatalogue },
): void {
  const { store, publicUrl, permissions } = deps;
  const writeDeps = () => ({ db: store.db, access: deps.access });
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/scim-directories',
    summary: 'SCIM directories served by Gatehouse, with their live tokens (prefixes only)',
    tag: 'Directories',
    permission: 'directory:manage',
    params: orgParams,
    responses: { 200: { description: 'Directories', schema: z.object({ data: z.array(directory) }) } },
    handler: async ({ params }) => {
      const rows = await inTenant(store.db, params.orgId, (tx) => listScimDirectories(tx, params.orgId));
      return { status: 200, body: { data: rows.map((d) => scimDirectoryView(d, publicUrl)) } };
    },
  });
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/scim-directories',
    summary: 'Create a SCIM directory; the answer carries its bearer token, shown this once',
    tag: 'Directories',
    permission: 'directory:manage',
    params: orgParams,
    body: z.strictObject({ name: z.string().trim().min(1).max(200) }),
    responses: {
      201: { description: 'Created', schema: withToken },
      403: { description: 'The default role carries permissions the caller does not hold (AUTH_PERMISSION_CEILING)' },
    },
    handler: async ({ params, body, auth }) => {
      const role = await inTenant(store.db, params.orgId, (tx) =>
        tx.selectFrom('organizations').select('default_role_slug').where('id', '=', params.orgId).executeTakeFirst(),
      );
      await enforceGrant(store.db, params.orgId, granterOf(auth, params.orgId, permissions), {
        path: 'directory',
        roleSlug: role?.default_role_slug ?? 'member',
      });
      const created = await createScimDirectory(writeDeps(), {
        organizationId: params.orgId,
        name: body.name,
        actor: actorOf(auth),
      });
      return {
        status: 201,
        body: { directory: scimDirectoryView(created.directory, publicUrl), token: created.token },
      };
    },
  });
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/scim-directories/{directoryId}/rotate-token',
    summary: 'Issue a new token; earlier tokens keep working for overlapSeconds (default one day)',
    tag: 'Directories',
    permission: 'directory:manage',
    params: directoryParams,
    body: z.strictObject({
      overlapSeconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).default(86_400),
    }),
    responses: { 200: { description: 'Rotated', schema: withToken } },
    handler: async ({ params, body, auth }) => {
      const rotated = await rotateScimToken(store.db, {
        organizationId: params.orgId,
        directoryId: params.directoryId,
        overlapSeconds: body.overlapSeconds,
        actor: actorOf(auth),
      });
      return {
        status: 200,
        body: { directory: scimDirectoryView(rotated.directory, publicUrl), token: rotated.token },
      };
    },
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/scim-directories/{directoryId}/tokens',
    summary: 'Revoke every token of the directory at once (its people stay provisioned)',
    tag: 'Directories',
    permission: 'directory:manage',
    params: directoryParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ params, auth }) => {
      await revokeScimTokens(store.db, {
        organizationId: params.orgId,
        directoryId: params.directoryId,
        actor: actorOf(auth),
      });
      return { status: 204, body: null };
    },
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/scim-directories/{directoryId}',
    summary: 'Delete the directory: its tokens stop and everyone it provisioned is deprovisioned',
    tag: 'Directories',
    permission: 'directory:manage',
    params: directoryParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ params, auth }) => {
      await deleteScimDirectory(writeDeps(), {
        organizationId: params.orgId,
        directoryId: params.directoryId,
        actor: actorOf(auth),
      });
      return { status: 204, body: null };
    },
  });
}
