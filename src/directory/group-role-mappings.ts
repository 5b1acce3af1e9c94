// Group-to-role mapping, the organization admin's side: which directory group grants which role,
// with a priority deciding between several groups (higher wins). Changing a mapping recomputes
// every affected member at once, in the same transaction, audited with the admin as actor.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuditActor } from '../audit/chain.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import type { AccessRevoker, ApplyContext } from './context.ts';
import { recomputeGroupMembers } from './provisioning.ts';

export interface GroupRoleMapping {
  directoryGroupId: string;
  roleSlug: string;
  priority: number;
}

export async function listGroupRoleMappings(tx: Tx, organizationId: string): Promise<GroupRoleMapping[]> {
  const rows = await tx.selectFrom('directory_group_role_mappings').select(['directory_group_id', 'role_slug', 'priority'])
    .where('organization_id', '=', organizationId).orderBy('priority', 'desc').orderBy('directory_group_id').execute();
  return rows.map((r) => ({ directoryGroupId: r.directory_group_id, roleSlug: r.role_slug, priority: r.priority }));
}

async function roleExists(tx: Tx, organizationId: string, slug: string): Promise<boolean> {
  const builtIn = await tx.selectFrom('roles').select('slug').where('slug', '=', slug).executeTakeFirst();
  if (builtIn) return true;
  return (await tx.selectFrom('organization_roles').select('slug').where('organization_id', '=', organizationId).where('slug', '=', slug).executeTakeFirst()) !== undefined;
}

/** A context for recomputing roles outside an event: the admin's change is the "event". */
function adminContext(tx: Tx, access: AccessRevoker): ApplyContext {
  const id = newId('mapping_change');
  return {
    tx, access, event: { id, event: 'directory.mapping_changed', data: {}, created_at: new Date().toISOString() },
    version: { at: new Date().toISOString(), eventId: id }, note: () => undefined, defer: () => undefined,
  };
}

export async function setGroupRoleMapping(db: Kysely<Database>, access: AccessRevoker, organizationId: string, mapping: GroupRoleMapping, actor: AuditActor): Promise<void> {
  await inTenant(db, organizationId, async (tx) => {
    const group = await tx.selectFrom('directory_groups').select('id').where('organization_id', '=', organizationId).where('id', '=', mapping.directoryGroupId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!group) throw new AppError('RESOURCE_NOT_FOUND', 'No such directory group in this organization');
    if (!(await roleExists(tx, organizationId, mapping.roleSlug))) throw new AppError('REQUEST_INVALID', `No role "${mapping.roleSlug}" in this organization`);
    await tx.insertInto('directory_group_role_mappings')
      .values({ organization_id: organizationId, directory_group_id: mapping.directoryGroupId, role_slug: mapping.roleSlug, priority: mapping.priority })
      .onConflict((oc) => oc.columns(['organization_id', 'directory_group_id']).doUpdateSet({ role_slug: mapping.roleSlug, priority: mapping.priority, updated_at: sql`now()` }))
      .execute();
    await appendAuditEvent(tx, { organizationId, type: 'directory.group_role_mapped', actor, target: { type: 'directory_group', id: mapping.directoryGroupId }, data: { role: mapping.roleSlug, priority: mapping.priority } });
    await recomputeAll(tx, access, organizationId);
  });
}

export async function removeGroupRoleMapping(db: Kysely<Database>, access: AccessRevoker, organizationId: string, directoryGroupId: string, actor: AuditActor): Promise<void> {
  await inTenant(db, organizationId, async (tx) => {
    const gone = await tx.deleteFrom('directory_group_role_mappings').where('organization_id', '=', organizationId).where('directory_group_id', '=', directoryGroupId).returning('role_slug').execute();
    if (gone.length === 0) throw new AppError('RESOURCE_NOT_FOUND', 'No mapping for that directory group');
    await appendAuditEvent(tx, { organizationId, type: 'directory.group_role_unmapped', actor, target: { type: 'directory_group', id: directoryGroupId }, data: {} });
    await recomputeAll(tx, access, organizationId);
  });
}

/** Every mapped or once-mapped group's members can change role: recompute all linked members. */
async function recomputeAll(tx: Tx, access: AccessRevoker, organizationId: string): Promise<void> {
  const ctx = adminContext(tx, access);
  const groups = await tx.selectFrom('directory_groups').select('id').where('organization_id', '=', organizationId).where('deleted_at', 'is', null).execute();
  for (const g of groups) await recomputeGroupMembers(ctx, organizationId, g.id);
}
