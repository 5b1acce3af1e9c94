// Super-admins (issue 4 §7): active members of the organization named by GATEHOUSE_SUPERADMIN_ORG
// may enter any organization; each entry leaves an audit entry in the entered organization's
// chain, so its admins see who came. (The listing of every tenant is src/organizations/tenants.ts,
// audited by its API route.)
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';

function requireSuperAdmin(auth: AuthContext): void {
  // 404, not 403: to everyone else these routes do not exist.
  if (!auth.isSuperAdmin) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
}

/**
 * Records a super-admin entering another organization, in that organization's chain. The admin
 * API calls it (its `onSuperAdminEntry` hook) before serving a super-admin inside a tenant that is
 * not their own; an unknown organization answers 404.
 */
export async function recordSuperAdminEntry(db: Kysely<Database>, auth: AuthContext, organizationId: string, via: string): Promise<void> {
  requireSuperAdmin(auth);
  if (organizationId === auth.organizationId) return;
  await inTenant(db, organizationId, async (tx) => {
    const org = await tx.selectFrom('organizations').select('id').where('id', '=', organizationId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!org) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
    await appendAuditEvent(tx, {
      organizationId, type: 'superadmin.entered', actor: actorOf(auth), target: { type: 'organization', id: organizationId },
      data: { fromOrganizationId: auth.organizationId, via },
    });
  });
}
