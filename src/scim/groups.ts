// /Groups: group lifecycle and membership churn. Okta adds and removes members with PATCH
// (`members[value eq "…"]` paths), Entra with PATCH `members` + a value list, in bulk; both
// rename with a path-less replace. Membership lives in the mirror (directory_group_members):
// every change becomes dsync.group.user_added / user_removed through the mirror's handler, which
// also recomputes the member's role from the group-to-role mappings.
import type { Hono } from 'hono';
import type { Selectable } from 'kysely';
import SCIMMY from 'scimmy';
import { newId } from '../core/ids.ts';
import type { ScimGroupsTable } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { scimWrite, type ScimWrite, type ScimWriteDeps } from './apply.ts';
import { listResponse } from '../../protocols/scim/discovery.ts';
import { notFound, ScimError } from '../../protocols/scim/errors.ts';
import { equalityOf, selectMatching } from '../../protocols/scim/filter.ts';
import {
  project,
  queryOf,
  querySelection,
  readJsonObject,
  scimJson,
  searchBody,
  type SearchQuery,
} from '../../protocols/scim/http.ts';
import type { ScimContext, ScimDirectory, ScimEnv } from './http.ts';
import { applyScimPatch } from '../../protocols/scim/patch.ts';
import { assertMutablePaths, assertSameId, checkIfMatch } from './preconditions.ts';
import type { ScimResource } from '../../protocols/scim/resources.ts';
import { etagOf, memberIds, scimGroup, storedGroup } from './resources.ts';
import { userWire } from './user-create.ts';

type GroupRow = Selectable<ScimGroupsTable>;
type Member = { value: string; display: string };

function groupsQuery(tx: Tx, dir: ScimDirectory) {
  return tx
    .selectFrom('scim_groups')
    .selectAll()
    .where('organization_id', '=', dir.organizationId)
    .where('directory_id', '=', dir.directoryId);
}

async function loadGroup(tx: Tx, dir: ScimDirectory, id: string): Promise<GroupRow> {
  const row = await groupsQuery(tx, dir).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Group', id);
  return row;
}

/** Present members of the groups, from the mirror, with the user's userName as display. */
async function membersOf(tx: Tx, dir: ScimDirectory, groupIds: string[]): Promise<Map<string, Member[]>> {
  const out = new Map<string, Member[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows = await tx
    .selectFrom('directory_group_members as m')
    .innerJoin('scim_users as u', (j) =>
      j.onRef('u.organization_id', '=', 'm.organization_id').onRef('u.id', '=', 'm.directory_user_id'),
    )
    .select(['m.group_id', 'u.id', 'u.user_name'])
    .where('m.organization_id', '=', dir.organizationId)
    .where('m.group_id', 'in', groupIds)
    .where('m.present', '=', true)
    .orderBy('u.id')
    .execute();
  for (const r of rows) out.get(r.group_id)?.push({ value: r.id, display: r.user_name });
  return out;
}

function toScimGroup(row: GroupRow, base: string, members: Member[] | undefined): ScimResource {
  const meta = {
    id: row.id,
    created: row.created_at,
    lastModified: row.updated_at,
    version: row.version,
    location: `${base}/Groups/${row.id}`,
  };
  return scimGroup(row.resource, meta, members);
}

function groupWire(dir: ScimDirectory, row: Pick<GroupRow, 'id' | 'display_name' | 'external_id'>) {
  return {
    id: row.id,
    directory_id: dir.directoryId,
    organization_id: dir.organizationId,
    idp_id: row.external_id ?? row.id,
    name: row.display_name,
  };
}

function parseGroup(body: Record<string, unknown>): ScimResource {
  const parsed = JSON.parse(JSON.stringify(new SCIMMY.Schemas.Group(body, 'in'))) as ScimResource;
  if (typeof parsed.displayName !== 'string' || parsed.displayName.trim() === '')
    throw new ScimError(400, 'displayName is required', 'invalidValue');
  return parsed;
}

async function assertUniqueName(tx: Tx, dir: ScimDirectory, name: string, exceptId?: string): Promise<void> {
  let q = groupsQuery(tx, dir)
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['display_name']), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new ScimError(409, `A group named ${name} already exists`, 'uniqueness');
}

/**
 * Brings the group's members to `wanted`: user_added for each new one, user_removed for each gone
 * one. A member that is not a user of this directory is refused (400 invalidValue) and, the whole
 * request being one transaction, nothing of it is written.
 */
async function setMembers(w: ScimWrite, dir: ScimDirectory, group: GroupRow, current: string[], wanted: string[]) {
  const have = new Set(current);
  const want = new Set(wanted);
  const added = wanted.filter((id) => !have.has(id));
  const removed = current.filter((id) => !want.has(id));
  const ids = [...added, ...removed];
  if (ids.length === 0) return;
  const users = await w.tx
    .selectFrom('scim_users')
    .select(['id', 'resource', 'active'])
    .where('organization_id', '=', dir.organizationId)
    .where('directory_id', '=', dir.directoryId)
    .where('id', 'in', ids)
    .execute();
  const byId = new Map(users.map((u) => [u.id, u]));
  const unknown = added.filter((id) => !byId.has(id));
  if (unknown.length > 0)
    throw new ScimError(
      400,
      `Members are not users of this directory: ${unknown.slice(0, 5).join(', ')}`,
      'invalidValue',
    );
  const g = groupWire(dir, group);
  for (const id of added)
    await w.emit('dsync.group.user_added', {
      directory_id: dir.directoryId,
      user: userWire(dir, byId.get(id)!),
      group: g,
    });
  for (const id of removed) {
    const u = byId.get(id);
    if (u)
      await w.emit('dsync.group.user_removed', { directory_id: dir.directoryId, user: userWire(dir, u), group: g });
  }
}

async function search(c: ScimContext, deps: ScimWriteDeps, q: SearchQuery): Promise<Response> {
  const dir = c.get('directory');
  const wantsMembers = (resource: ScimResource) => 'members' in project({ ...resource, members: [] }, q.selection);
  const { matched, members } = await inTenant(deps.db, dir.organizationId, async (tx) => {
    const eq = equalityOf(q.filter);
    let query = groupsQuery(tx, dir);
    if (eq?.attribute === 'displayname')
      query = query.where((eb) => eb(eb.fn('lower', ['display_name']), '=', eq.value.toLowerCase()));
    else if (eq?.attribute === 'externalid') query = query.where('external_id', '=', eq.value);
    else if (eq?.attribute === 'id') query = query.where('id', '=', eq.value);
    const rows = await query.orderBy('id').execute();
    // Members are joined only for filters that mention them: a large group is costly to build.
    const filterMembers =
      q.filter && /members/i.test(q.filter)
        ? await membersOf(
            tx,
            dir,
            rows.map((r) => r.id),
          )
        : undefined;
    const view = (r: GroupRow): ScimResource => ({
      ...r.resource,
      id: r.id,
      ...(filterMembers ? { members: filterMembers.get(r.id) ?? [] } : {}),
      meta: { resourceType: 'Group', created: r.created_at.toISOString(), lastModified: r.updated_at.toISOString() },
    });
    const all = selectMatching(rows, q.filter, view);
    const page = all.slice(q.page.startIndex - 1, q.page.startIndex - 1 + q.page.count);
    const shown =
      page.length > 0 && wantsMembers(page[0]!.resource)
        ? await membersOf(
            tx,
            dir,
            page.map((r) => r.id),
          )
        : undefined;
    return { matched: { all, page }, members: shown };
  });
  const base = c.get('base');
  const resources = matched.page.map((r) =>
    project(toScimGroup(r, base, members?.get(r.id) ?? (members ? [] : undefined)), q.selection),
  );
  return scimJson(listResponse(resources, matched.all.length, q.page.startIndex));
}

function answer(c: ScimContext, row: GroupRow, members: Member[], status = 200): Response {
  const base = c.get('base');
  const headers: Record<string, string> = { etag: etagOf(row.version) };
  if (status === 201) headers.location = `${base}/Groups/${row.id}`;
  // Entra sends membership PATCHes by the thousand and wants no body back (RFC 7644 allows 204).
  if (
    status === 200 &&
    (c.req.query('excludedAttributes') === 'members' || c.req.header('prefer') === 'return=minimal')
  )
    return new Response(null, { status: 204, headers });
  return scimJson(project(toScimGroup(row, base, members), querySelection(c)), status, headers);
}

async function replace(
  c: ScimContext,
  deps: ScimWriteDeps,
  next: (current: ScimResource) => Promise<ScimResource>,
): Promise<Response> {
  const dir = c.get('directory');
  const id = c.req.param('id') ?? '';
  const { row, members } = await scimWrite(deps, dir, async (w) => {
    const current = await loadGroup(w.tx, dir, id);
    checkIfMatch(c, current.version);
    const currentMembers = (await membersOf(w.tx, dir, [id])).get(id) ?? [];
    const resource = await next(toScimGroup(current, c.get('base'), currentMembers));
    assertSameId(resource, id);
    const name = typeof resource.displayName === 'string' ? resource.displayName : '';
    if (!name.trim()) throw new ScimError(400, 'displayName is required', 'invalidValue');
    await assertUniqueName(w.tx, dir, name, id);
    const stored = storedGroup(resource);
    const wanted = memberIds(resource);
    const same = JSON.stringify(stored) === JSON.stringify(current.resource);
    const membersSame =
      wanted.length === currentMembers.length && currentMembers.every((m) => wanted.includes(m.value));
    if (same && membersSame) return { row: current, members: currentMembers };
    const externalId = typeof resource.externalId === 'string' ? resource.externalId : null;
    const updated = await w.tx
      .updateTable('scim_groups')
      .set({
        display_name: name,
        external_id: externalId,
        resource: JSON.stringify(stored),
        version: current.version + 1,
        updated_at: w.at,
      })
      .where('organization_id', '=', dir.organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!same) await w.emit('dsync.group.updated', groupWire(dir, updated));
    await setMembers(
      w,
      dir,
      updated,
      currentMembers.map((m) => m.value),
      wanted,
    );
    return { row: updated, members: (await membersOf(w.tx, dir, [id])).get(id) ?? [] };
  });
  return answer(c, row, members);
}

export function mountGroups(app: Hono<ScimEnv>, deps: ScimWriteDeps): void {
  app.get('/Groups', (c) => search(c, deps, queryOf(c)));
  app.post('/Groups/.search', async (c) => search(c, deps, await searchBody(c)));

  app.post('/Groups', async (c) => {
    const dir = c.get('directory');
    const resource = parseGroup(await readJsonObject(c));
    const name = resource.displayName as string;
    const { row, members } = await scimWrite(deps, dir, async (w) => {
      await assertUniqueName(w.tx, dir, name);
      const created = await w.tx
        .insertInto('scim_groups')
        .values({
          organization_id: dir.organizationId,
          directory_id: dir.directoryId,
          id: newId('directory_group'),
          display_name: name,
          external_id: typeof resource.externalId === 'string' ? resource.externalId : null,
          resource: JSON.stringify(storedGroup(resource)),
          created_at: w.at,
          updated_at: w.at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await w.emit('dsync.group.created', groupWire(dir, created));
      await setMembers(w, dir, created, [], memberIds(resource));
      return { row: created, members: (await membersOf(w.tx, dir, [created.id])).get(created.id) ?? [] };
    });
    return answer(c, row, members, 201);
  });

  app.get('/Groups/:id', async (c) => {
    const dir = c.get('directory');
    const id = c.req.param('id');
    const { row, members } = await inTenant(deps.db, dir.organizationId, async (tx) => ({
      row: await loadGroup(tx, dir, id),
      members: (await membersOf(tx, dir, [id])).get(id) ?? [],
    }));
    if (c.req.header('if-none-match') === etagOf(row.version)) return new Response(null, { status: 304 });
    return scimJson(project(toScimGroup(row, c.get('base'), members), querySelection(c)), 200, {
      etag: etagOf(row.version),
    });
  });

  app.put('/Groups/:id', async (c) => {
    const raw = await readJsonObject(c);
    const body = { ...parseGroup(raw), ...(raw.id !== undefined ? { id: raw.id } : {}) };
    return replace(c, deps, async () => body);
  });

  app.patch('/Groups/:id', async (c) => {
    const body = await readJsonObject(c);
    assertMutablePaths(body);
    return replace(c, deps, (current) => applyScimPatch('Group', current, body));
  });

  app.delete('/Groups/:id', async (c) => {
    const dir = c.get('directory');
    const id = c.req.param('id');
    await scimWrite(deps, dir, async (w) => {
      const current = await loadGroup(w.tx, dir, id);
      checkIfMatch(c, current.version);
      await w.tx
        .deleteFrom('scim_groups')
        .where('organization_id', '=', dir.organizationId)
        .where('id', '=', id)
        .execute();
      // The handler closes the memberships and recomputes the roles they granted.
      await w.emit('dsync.group.deleted', groupWire(dir, current));
    });
    return new Response(null, { status: 204 });
  });
}
