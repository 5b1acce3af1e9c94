// Super-admins (issue 4 §7): active members of the organization named by GATEHOUSE_SUPERADMIN_ORG
// may list every organization and enter any of them. Both are cross-tenant reads, so both run
// through asSystem with a stated reason and leave an audit entry: the listing in the super-admin
// organization's chain, each entry in the entered organization's chain (its admins see who came).
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { Database } from '../store/schema.ts';
import { asSystem, inTenant } from '../store/tenant.ts';

export interface OrganizationSummary {
  id: string;
  name: string;
  createdAt: string;
}

function requireSuperAdmin(auth: AuthContext): void {
  // 404, not 403: to everyone else these routes do not exist.
  if (!auth.isSuperAdmin) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
}

export async function listAllOrganizations(db: Kysely<Database>, auth: AuthContext): Promise<OrganizationSummary[]> {
  requireSuperAdmin(auth);
  const rows = await asSystem(db, 'super-admin lists every organization', (tx) =>
    tx.selectFrom('organizations').select(['id', 'name', 'created_at']).where('deleted_at', 'is', null).orderBy('name').orderBy('id').execute());
  await inTenant(db, auth.organizationId, (tx) =>
    appendAuditEvent(tx, { organizationId: auth.organizationId, type: 'superadmin.organizations_listed', actor: actorOf(auth), data: { count: rows.length } }));
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at.toISOString() }));
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
