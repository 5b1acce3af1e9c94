// A super-admin acting inside another tenant is a cross-tenant read or change: each entry lands in
// the entered organization's own audit chain, so that tenant can see who looked (DESIGN.md §3.1).
import type { Kysely } from 'kysely';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuthContext } from '../core/auth-context.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';

export function auditSuperAdminEntry(db: Kysely<Database>) {
  return async (auth: AuthContext, organizationId: string, request: { method: string; path: string }): Promise<void> => {
    await inTenant(db, organizationId, (tx) =>
      appendAuditEvent(tx, {
        organizationId,
        type: 'superadmin.organization_entered',
        actor: actorOf(auth),
        target: { type: 'organization', id: organizationId },
        data: { fromOrganizationId: auth.organizationId, method: request.method, path: request.path },
      }),
    );
  };
}
