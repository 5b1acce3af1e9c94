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
    const remaining = await tx.selectFrom('directory_group_role_mappings').select('role_slug').where('organization_id', '=', organizationId).limit(1).executeTakeFirst();
    // With no mapping left the directory stops managing roles, so recomputing would leave the
    // group's members holding the role the mapping gave them. Nobody keeps a grant whose source
    // is gone: they return to the organization's default role.
    if (!remaining) await resetMembersOf(tx, access, organizationId, directoryGroupId, gone[0]!.role_slug);
    await recomputeAll(tx, access, organizationId);
  });
}

async function resetMembersOf(tx: Tx, access: AccessRevoker, organizationId: string, groupId: string, grantedRole: string): Promise<void> {
  const org = await tx.selectFrom('organizations').select('default_role_slug').where('id', '=', organizationId).executeTakeFirst();
  const fallback = org?.default_role_slug ?? 'member';
  if (fallback === grantedRole) return;
  const members = await tx
    .selectFrom('directory_group_members as gm')
    .innerJoin('directory_users as du', (j) => j.onRef('du.organization_id', '=', 'gm.organization_id').onRef('du.id', '=', 'gm.directory_user_id'))
    .select('du.user_id')
    .where('gm.organization_id', '=', organizationId).where('gm.group_id', '=', groupId).where('gm.present', '=', true).where('du.user_id', 'is not', null)
    .execute();
  for (const { user_id } of members) {
    const changed = await tx.updateTable('organization_memberships').set({ role_slug: fallback, updated_at: sql`now()` })
      .where('organization_id', '=', organizationId).where('user_id', '=', user_id!).where('deleted_at', 'is', null).where('role_slug', '=', grantedRole)
      .returning('user_id').execute();
    if (changed.length > 0) await access.revoke(tx, { kind: 'membership', organizationId, userId: user_id! });
  }
}

/** Every mapped or once-mapped group's members can change role: recompute all linked members. */
async function recomputeAll(tx: Tx, access: AccessRevoker, organizationId: string): Promise<void> {
  const ctx = adminContext(tx, access);
  const groups = await tx.selectFrom('directory_groups').select('id').where('organization_id', '=', organizationId).where('deleted_at', 'is', null).execute();
  for (const g of groups) await recomputeGroupMembers(ctx, organizationId, g.id);
}

export interface DirectoryGroupWithRole {
  id: string;
  directoryId: string;
  name: string;
  role: string | null;
  priority: number | null;
}

/** The organization's live directory groups with the role each one grants, by name. */
export async function listDirectoryGroups(tx: Tx, organizationId: string): Promise<DirectoryGroupWithRole[]> {
  const rows = await tx
    .selectFrom('directory_groups as g')
    .leftJoin('directory_group_role_mappings as m', (j) => j.onRef('m.organization_id', '=', 'g.organization_id').onRef('m.directory_group_id', '=', 'g.id'))
    .select(['g.id', 'g.directory_id', 'g.name', 'm.role_slug', 'm.priority'])
    .where('g.organization_id', '=', organizationId)
    .where('g.deleted_at', 'is', null)
    .orderBy('g.name')
    .execute();
  return rows.map((r) => ({ id: r.id, directoryId: r.directory_id, name: r.name, role: r.role_slug ?? null, priority: r.priority ?? null }));
}

