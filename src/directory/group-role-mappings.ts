// Group-to-role mapping, the organization admin's side: which directory group grants which role,
// with a priority deciding between several groups (higher wins). Changing a mapping recomputes
// every affected member at once, in the same transaction, audited with the admin as actor; the
// roles it changes are written to WorkOS after commit (provisioning.ts, recomputeRole). Mapping a
// role is a grant: the admin must hold every permission it carries (the ceiling, access/ceiling.ts).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { enforceGrant, type GrantingActor } from '../access/ceiling.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { runDeferred, type AccessRevoker, type ApplyContext } from '../mirror/context.ts';
import { recomputeGroupMembers, type RecomputeOptions } from '../mirror/provisioning.ts';

export interface GroupRoleMapping {
  directoryGroupId: string;
  roleSlug: string;
  priority: number;
}

async function roleExists(tx: Tx, organizationId: string, slug: string): Promise<boolean> {
  const builtIn = await tx.selectFrom('roles').select('slug').where('slug', '=', slug).executeTakeFirst();
  if (builtIn) return true;
  return (
    (await tx
      .selectFrom('organization_roles')
      .select('slug')
      .where('organization_id', '=', organizationId)
      .where('slug', '=', slug)
      .executeTakeFirst()) !== undefined
  );
}

/** A context for recomputing roles outside an event: the admin's change is the "event". */
function adminContext(tx: Tx, access: AccessRevoker, deferred: Array<() => Promise<unknown>>): ApplyContext {
  const id = newId('mapping_change');
  return {
    tx,
    access,
    event: { id, event: 'directory.mapping_changed', data: {}, created_at: new Date().toISOString() },
    version: { at: new Date().toISOString(), eventId: id },
    note: () => undefined,
    defer: (task) => deferred.push(task),
  };
}

/** Runs `fn` in a tenant transaction, then the work it deferred (provider writes) once committed. */
async function withDeferred(
  db: Kysely<Database>,
  organizationId: string,
  fn: (tx: Tx, deferred: Array<() => Promise<unknown>>) => Promise<void>,
): Promise<void> {
  const deferred: Array<() => Promise<unknown>> = [];
  await inTenant(db, organizationId, (tx) => fn(tx, deferred));
  await runDeferred(deferred);
}

export async function setGroupRoleMapping(
  db: Kysely<Database>,
  access: AccessRevoker,
  organizationId: string,
  mapping: GroupRoleMapping,
  granter: GrantingActor,
): Promise<void> {
  const actor = granter.actor;
  await enforceGrant(db, organizationId, granter, { path: 'group_mapping', roleSlug: mapping.roleSlug });
  await withDeferred(db, organizationId, async (tx, deferred) => {
    const group = await tx
      .selectFrom('directory_groups')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('id', '=', mapping.directoryGroupId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!group) throw new AppError('RESOURCE_NOT_FOUND', 'No such directory group in this organization');
    if (!(await roleExists(tx, organizationId, mapping.roleSlug)))
      throw new AppError('REQUEST_INVALID', `No role "${mapping.roleSlug}" in this organization`);
    await tx
      .insertInto('directory_group_role_mappings')
      .values({
        organization_id: organizationId,
        directory_group_id: mapping.directoryGroupId,
        role_slug: mapping.roleSlug,
        priority: mapping.priority,
      })
      .onConflict((oc) =>
        oc
          .columns(['organization_id', 'directory_group_id'])
          .doUpdateSet({ role_slug: mapping.roleSlug, priority: mapping.priority, updated_at: sql`now()` }),
      )
      .execute();
    await appendAuditEvent(tx, {
      organizationId,
      type: 'directory.group_role_mapped',
      actor,
      target: { type: 'directory_group', id: mapping.directoryGroupId },
      data: { role: mapping.roleSlug, priority: mapping.priority },
    });
    await recomputeAll(adminContext(tx, access, deferred), organizationId);
  });
}

/**
 * Members whose role this mapping gave fall back to another mapped group or the default role;
 * roles set by hand stay (role_source), and the organization's last active admin keeps the role.
 */
export async function removeGroupRoleMapping(
  db: Kysely<Database>,
  access: AccessRevoker,
  organizationId: string,
  directoryGroupId: string,
  granter: GrantingActor,
): Promise<void> {
  const actor = granter.actor;
  await withDeferred(db, organizationId, async (tx, deferred) => {
    const gone = await tx
      .deleteFrom('directory_group_role_mappings')
      .where('organization_id', '=', organizationId)
      .where('directory_group_id', '=', directoryGroupId)
      .returning('role_slug')
      .execute();
    if (gone.length === 0) throw new AppError('RESOURCE_NOT_FOUND', 'No mapping for that directory group');
    await appendAuditEvent(tx, {
      organizationId,
      type: 'directory.group_role_unmapped',
      actor,
      target: { type: 'directory_group', id: directoryGroupId },
      data: {},
    });
    await recomputeAll(adminContext(tx, access, deferred), organizationId, { keepLastAdmin: true });
  });
}

/** Every mapped or once-mapped group's members can change role: recompute all linked members. */
async function recomputeAll(ctx: ApplyContext, organizationId: string, options: RecomputeOptions = {}): Promise<void> {
  const groups = await ctx.tx
    .selectFrom('directory_groups')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null)
    .execute();
  for (const g of groups) await recomputeGroupMembers(ctx, organizationId, g.id, options);
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
    .leftJoin('directory_group_role_mappings as m', (j) =>
      j.onRef('m.organization_id', '=', 'g.organization_id').onRef('m.directory_group_id', '=', 'g.id'),
    )
    .select(['g.id', 'g.directory_id', 'g.name', 'm.role_slug', 'm.priority'])
    .where('g.organization_id', '=', organizationId)
    .where('g.deleted_at', 'is', null)
    .orderBy('g.name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    directoryId: r.directory_id,
    name: r.name,
    role: r.role_slug ?? null,
    priority: r.priority ?? null,
  }));
}
