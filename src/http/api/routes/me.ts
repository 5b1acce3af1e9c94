// GET /api/v1/me: who the caller is, in which organization, with which role and permissions, and
// for a person the organizations they may switch to (what an app's own organization switcher lists).
import { z } from 'zod';
import type { Store } from '../../../store/store.ts';
import { loadViewer } from '../../../web/chrome.ts';
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
  organizations: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
});

export function meRoutes(api: Api, store: Store): void {
  api.add({
    method: 'get',
    path: '/me',
    summary: "The caller: principal, organization, role and permissions, and a person's organizations",
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
      // Only a person's own memberships: an API key or M2M app acts in its one organization, and
      // listing its owner's other organizations would tell a script more than its key allows.
      const organizations = p.type === 'user' ? (await loadViewer(store.db, auth)).organizations : [];
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
          organizations,
        },
      };
    },
  });
}
