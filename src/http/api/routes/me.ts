// GET /api/v1/me: who the caller is, in which organization, with which role and permissions.
import { z } from 'zod';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';

const me = z.object({
  principal: z.object({ type: z.enum(['user', 'api_key', 'm2m']), id: z.string(), email: z.string().nullable() }),
  organizationId: z.string(),
  organizationName: z.string().nullable(),
  role: z.string(),
  permissions: z.array(z.string()),
  authMethod: z.string(),
  sessionId: z.string().nullable(),
  isSuperAdmin: z.boolean(),
  impersonator: z.object({ email: z.string(), reason: z.string().nullable().optional() }).nullable(),
});

export function meRoutes(api: Api, store: Store): void {
  api.add({
    method: 'get',
    path: '/me',
    summary: 'The caller: principal, organization, role and permissions',
    tag: 'Me',
    permission: null,
    responses: { 200: { description: 'The caller', schema: me } },
    handler: async ({ auth }) => {
      const p = auth.principal;
      const id = p.type === 'user' ? p.userId : p.type === 'api_key' ? p.apiKeyId : p.clientId;
      const user =
        p.type === 'user'
          ? await store.db.selectFrom('users').select('email').where('id', '=', p.userId).executeTakeFirst()
          : undefined;
      const org = await inTenant(store.db, auth.organizationId, (tx) =>
        tx.selectFrom('organizations').select('name').where('id', '=', auth.organizationId).executeTakeFirst(),
      );
      return {
        status: 200,
        body: {
          principal: { type: p.type, id, email: user?.email ?? (p.type === 'user' ? (p.email ?? null) : null) },
          organizationId: auth.organizationId,
          organizationName: org?.name ?? null,
          role: auth.role,
          permissions: [...auth.permissions],
          authMethod: auth.authMethod,
          sessionId: auth.sessionId ?? null,
          isSuperAdmin: auth.isSuperAdmin,
          impersonator: auth.impersonator ?? null,
        },
      };
    },
  });
}
