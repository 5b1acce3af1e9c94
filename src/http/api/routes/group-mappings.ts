// Directory group to role mappings: which directory group grants which role (higher priority
// wins when a member is in several). A change recomputes affected members at once.
import { z } from 'zod';
import { granterOf } from '../../../access/ceiling.ts';
import type { PermissionCatalogue } from '../../../core/permission-catalogue.ts';
import type { AccessRevoker } from '../../../mirror/context.ts';
import {
  listDirectoryGroups,
  removeGroupRoleMapping,
  setGroupRoleMapping,
} from '../../../directory/group-role-mappings.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const group = z.object({
  id: z.string(),
  directoryId: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  priority: z.number().int().nullable(),
});
const groupParams = z.strictObject({ orgId: idOf('org'), groupId: idOf('directory_group') });

export function groupMappingRoutes(
  api: Api,
  deps: { store: Store; access: AccessRevoker; permissions: PermissionCatalogue },
): void {
  const { store, access, permissions } = deps;
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/directory-groups',
    summary: 'Directory groups with the role each one grants',
    tag: 'Roles',
    permission: 'members:read',
    params: orgParams,
    responses: { 200: { description: 'Groups', schema: z.object({ data: z.array(group) }) } },
    handler: async ({ params }) => ({
      status: 200,
      body: { data: await inTenant(store.db, params.orgId, (tx) => listDirectoryGroups(tx, params.orgId)) },
    }),
  });
  api.add({
    method: 'put',
    path: '/organizations/{orgId}/directory-groups/{groupId}/role-mapping',
    summary: 'Map a directory group to a role (members are recomputed at once)',
    tag: 'Roles',
    permission: 'roles:manage',
    params: groupParams,
    body: z.strictObject({
      role: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/),
      priority: z.number().int().min(0).max(1000).default(0),
    }),
    responses: {
      204: { description: 'Mapped' },
      403: { description: 'The role carries permissions the caller does not hold (AUTH_PERMISSION_CEILING)' },
    },
    handler: async ({ params, body, auth }) => {
      await setGroupRoleMapping(
        store.db,
        access,
        params.orgId,
        { directoryGroupId: params.groupId, roleSlug: body.role, priority: body.priority },
        granterOf(auth, params.orgId, permissions),
      );
      return { status: 204, body: null };
    },
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/directory-groups/{groupId}/role-mapping',
    summary: 'Remove a group mapping (members fall back to other groups or the default role)',
    tag: 'Roles',
    permission: 'roles:manage',
    params: groupParams,
    responses: { 204: { description: 'Removed' } },
    handler: async ({ params, auth }) => {
      await removeGroupRoleMapping(
        store.db,
        access,
        params.orgId,
        params.groupId,
        granterOf(auth, params.orgId, permissions),
      );
      return { status: 204, body: null };
    },
  });
}
