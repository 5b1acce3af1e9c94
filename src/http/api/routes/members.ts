// Members API (read side): the organization's members from the mirror, with role, status,
// source, last sign-in and whether through SSO.
import { z } from 'zod';
import { listMembers } from '../../../organizations/members.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { cursorQuery, decodeCursor, encodeCursor, limitQuery, listOf, orgParams } from '../common.ts';

export const memberSchema = z.object({
  membershipId: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  status: z.enum(['pending', 'active', 'inactive']),
  source: z.enum(['invitation', 'directory', 'jit', 'manual']),
  lastSignInAt: z.string().nullable(),
  lastSsoSignInAt: z.string().nullable(),
});

export function memberReadRoutes(api: Api, store: Store): void {
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/members',
    summary: 'List members with role, status, source and last sign-in',
    tag: 'Members',
    permission: 'members:read',
    params: orgParams,
    query: z.strictObject({
      status: z.enum(['pending', 'active', 'inactive']).optional(),
      limit: limitQuery,
      cursor: cursorQuery,
    }),
    responses: { 200: { description: 'A page of members', schema: listOf(memberSchema) } },
    handler: async ({ params, query }) => {
      const after = decodeCursor(query.cursor, z.object({ id: z.string() }))?.id;
      const rows = await inTenant(store.db, params.orgId, (tx) =>
        listMembers(tx, params.orgId, { status: query.status, after, limit: query.limit + 1 }),
      );
      const page = rows.slice(0, query.limit);
      return {
        status: 200,
        body: {
          data: page,
          nextCursor: rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.membershipId }) : null,
        },
      };
    },
  });
}
