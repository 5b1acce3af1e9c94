// Super-admin API (members of GATEHOUSE_SUPERADMIN_ORG only; anyone else gets 404): every tenant
// with its SSO and directory status, and provisioning of evaluation tenants. Both are audited in
// the super-admin organization's own chain.
import { z } from 'zod';
import { superAdminGranter } from '../../../access/ceiling.ts';
import type { PermissionCatalogue } from '../../../core/permission-catalogue.ts';
import { actorOf } from '../../../audit/actor.ts';
import { enterTenant } from '../../../identity/super-admin.ts';
import { appendAuditEvent } from '../../../audit/audit-log.ts';
import type { OrganizationAdmin } from '../../../identity/organization-admin.ts';
import { provisionEvalTenant } from '../../../organizations/provision.ts';
import { listTenants } from '../../../organizations/tenants.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf } from '../common.ts';

const tenant = z.object({
  id: z.string(),
  name: z.string(),
  externalId: z.string().nullable(),
  createdAt: z.string(),
  sso: z.object({ enabled: z.boolean(), enforced: z.boolean(), provider: z.string().nullable() }),
  directories: z.object({ count: z.number().int(), users: z.number().int(), lastEventAt: z.string().nullable() }),
  members: z.object({ active: z.number().int(), inactive: z.number().int(), pending: z.number().int() }),
});

const provisionBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  adminEmail: z.email().max(320),
  seedDemo: z.boolean().default(false),
});

const provisionResult = z.object({
  organizationId: z.string(),
  externalId: z.string(),
  createdOrganization: z.boolean(),
  invitedAdmin: z.boolean(),
  seededDemo: z.boolean(),
  steps: z.array(z.string()),
});

export function superAdminRoutes(
  api: Api,
  deps: { store: Store; admin: OrganizationAdmin; permissions: PermissionCatalogue },
): void {
  api.add({
    method: 'get',
    path: '/admin/organizations',
    summary: 'Every tenant with its SSO, directory and member status (super-admins only)',
    tag: 'Super-admin',
    permission: null,
    superAdminOnly: true,
    responses: { 200: { description: 'Tenants', schema: z.object({ data: z.array(tenant) }) } },
    handler: async ({ auth }) => {
      const data = await listTenants(deps.store.db);
      await inTenant(deps.store.db, auth.organizationId, (tx) =>
        appendAuditEvent(tx, {
          organizationId: auth.organizationId,
          type: 'superadmin.tenants_listed',
          actor: actorOf(auth),
          data: { count: data.length },
        }),
      );
      return { status: 200, body: { data } };
    },
  });
  api.add({
    method: 'post',
    path: '/admin/organizations/{tenantId}/enter',
    summary: 'Enter a tenant as super-admin: recorded once in its audit trail; later requests into it write nothing',
    tag: 'Super-admin',
    permission: null,
    superAdminOnly: true,
    params: z.strictObject({ tenantId: idOf('org') }),
    responses: {
      204: { description: 'Entered (for this session, a few hours)' },
      403: { description: 'A cross-site request with the session cookie (AUTH_CSRF_REJECTED)' },
    },
    handler: async ({ params, auth }) => {
      await enterTenant(deps.store.db, auth, params.tenantId, 'api');
      return { status: 204, body: null };
    },
  });
  const admin = deps.admin;
  api.add({
    method: 'post',
    path: '/admin/organizations',
    summary:
      'Provision an evaluation tenant: WorkOS organization, local tenant, admin invitation, optional demo data (idempotent by name)',
    tag: 'Super-admin',
    permission: null,
    superAdminOnly: true,
    body: provisionBody,
    responses: { 200: { description: 'What was done', schema: provisionResult } },
    handler: async ({ body, auth }) => {
      const result = await provisionEvalTenant(
        { db: deps.store.db, admin },
        body,
        superAdminGranter(auth, deps.permissions),
      );
      await inTenant(deps.store.db, auth.organizationId, (tx) =>
        appendAuditEvent(tx, {
          organizationId: auth.organizationId,
          type: 'superadmin.tenant_provisioned',
          actor: actorOf(auth),
          target: { type: 'organization', id: result.organizationId },
          data: { name: body.name, createdOrganization: result.createdOrganization },
        }),
      );
      return { status: 200, body: result };
    },
  });
}
