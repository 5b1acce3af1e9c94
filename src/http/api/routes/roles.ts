// Roles API: built-in and custom roles with their permissions; create, update, delete custom roles;
// and the install's permission catalogue (Gatehouse's own and the app's) they are made of.
import { z } from 'zod';
import { granterOf } from '../../../access/ceiling.ts';
import { actorOf } from '../../../audit/actor.ts';
import type { PermissionCatalogue } from '../../../core/permission-catalogue.ts';
import { createRole, deleteRole, listRoles, updateRole } from '../../../organizations/roles.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { ProviderRoles } from '../../../organizations/provider-roles.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const role = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  permissions: z.array(z.string()),
  builtIn: z.boolean(),
});
const slug = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'lowercase letters, digits and dashes, 2-48 characters');
const roleParams = z.strictObject({ orgId: idOf('org'), slug });
const permissionEntry = z.object({
  slug: z.string(),
  description: z.string(),
  source: z.enum(['gatehouse', 'app']).describe("gatehouse: Gatehouse's own; app: GATEHOUSE_APP_PERMISSIONS_FILE"),
});

/** Role bodies accept the install's permissions only (an enum, so the OpenAPI document lists them). */
function bodies(catalogue: PermissionCatalogue) {
  const permission = z.enum(catalogue.all as [string, ...string[]]);
  const create = z.strictObject({
    slug,
    name: z.string().trim().min(1).max(100),
    description: z.string().max(500).optional(),
    permissions: z.array(permission).max(100),
  });
  const update = z
    .strictObject({
      name: z.string().trim().min(1).max(100).optional(),
      description: z.string().max(500).optional(),
      permissions: z.array(permission).max(100).optional(),
    })
    .refine((b) => Object.keys(b).length > 0, 'nothing to change');
  return { create, update };
}

export function roleRoutes(
  api: Api,
  store: Store,
  catalogue: PermissionCatalogue,
  /** WorkOS mode: custom roles are kept there too (organizations/provider-roles.ts). */
  provider?: ProviderRoles,
): void {
  const { create: createBody, update: updateBody } = bodies(catalogue);
  api.add({
    method: 'get',
    path: '/permissions',
    summary: "List the permissions roles can carry: Gatehouse's own and the app's, each with its source",
    tag: 'Roles',
    permission: null,
    responses: {
      200: { description: 'Permissions, Gatehouse first', schema: z.object({ data: z.array(permissionEntry) }) },
    },
    handler: async () => ({ status: 200, body: { data: [...catalogue.entries] } }),
  });
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/roles',
    summary: 'List built-in and custom roles with their permissions',
    tag: 'Roles',
    permission: 'members:read',
    params: orgParams,
    responses: { 200: { description: 'Roles', schema: z.object({ data: z.array(role) }) } },
    handler: async ({ params }) => ({
      status: 200,
      body: { data: await inTenant(store.db, params.orgId, (tx) => listRoles(tx, params.orgId, catalogue)) },
    }),
  });
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/roles',
    summary: 'Create a custom role',
    tag: 'Roles',
    permission: 'roles:manage',
    params: orgParams,
    body: createBody,
    responses: {
      201: { description: 'Created', schema: role },
      403: { description: 'A permission the caller does not hold (AUTH_PERMISSION_CEILING)' },
      409: { description: 'Slug taken or built in' },
    },
    handler: async ({ params, body, auth }) => ({
      status: 201,
      body: await createRole(
        store.db,
        params.orgId,
        body as z.output<typeof createBody>,
        granterOf(auth, params.orgId, catalogue),
        provider,
      ),
    }),
  });
  api.add({
    method: 'patch',
    path: '/organizations/{orgId}/roles/{slug}',
    summary: 'Change a custom role',
    tag: 'Roles',
    permission: 'roles:manage',
    params: roleParams,
    body: updateBody,
    responses: {
      200: { description: 'Updated', schema: role },
      403: { description: "Beyond the caller's permissions, or widening the caller's own role (AUTH_ROLE_ESCALATION)" },
      409: { description: 'Built-in roles cannot change' },
    },
    handler: async ({ params, body, auth }) => ({
      status: 200,
      body: await updateRole(
        store.db,
        params.orgId,
        params.slug,
        body,
        granterOf(auth, params.orgId, catalogue),
        provider,
      ),
    }),
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/roles/{slug}',
    summary: 'Delete a custom role that no member holds',
    tag: 'Roles',
    permission: 'roles:manage',
    params: roleParams,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'Built in, or still assigned' } },
    handler: async ({ params, auth }) => {
      await deleteRole(store.db, params.orgId, params.slug, actorOf(auth), provider);
      return { status: 204, body: null };
    },
  });
}
