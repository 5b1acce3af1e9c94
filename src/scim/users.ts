// /Users: what Okta and Entra call to provision, look up, update, deactivate and remove people.
// Every write is one scimWrite (apply.ts): the SCIM row and the dsync.user.* event it becomes
// commit together. Reads run in the directory's tenant transaction and name the directory in
// every query, so another directory's id is a 404 like any unknown one.
import type { Hono } from 'hono';
import SCIMMY from 'scimmy';
import { inTenant, type Tx } from '../store/tenant.ts';
import { scimWrite, type ScimWriteDeps } from './apply.ts';
import { createScimUser, userWire, type ScimUserRow } from './user-create.ts';
import { ensureEnterpriseExtension, listResponse } from '../../protocols/scim/discovery.ts';
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
import { scimBoolean, type ScimResource } from '../../protocols/scim/resources.ts';
import { etagOf, scimUser, storedUser, userFields } from './resources.ts';

export function toScimUser(row: ScimUserRow, base: string): ScimResource {
  return scimUser(
    row.resource,
    {
      id: row.id,
      created: row.created_at,
      lastModified: row.updated_at,
      version: row.version,
      location: `${base}/Users/${row.id}`,
    },
    row.active,
  );
}

function usersQuery(tx: Tx, dir: ScimDirectory) {
  return tx
    .selectFrom('scim_users')
    .selectAll()
    .where('organization_id', '=', dir.organizationId)
    .where('directory_id', '=', dir.directoryId);
}

export async function loadUser(tx: Tx, dir: ScimDirectory, id: string): Promise<ScimUserRow> {
  const row = await usersQuery(tx, dir).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('User', id);
  return row;
}

/** Validates a full User representation (POST, PUT) against the SCIM User schema. */
function parseUser(body: Record<string, unknown>): ScimResource {
  ensureEnterpriseExtension();
  // Entra may send "True"/"False"; scimmy's schema accepts only real booleans.
  const input = 'active' in body ? { ...body, active: scimBoolean(body.active, true) } : body;
  const parsed = JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(input, 'in'))) as ScimResource;
  if (typeof parsed.userName !== 'string' || parsed.userName.trim() === '')
    throw new ScimError(400, 'userName is required', 'invalidValue');
  return parsed;
}

async function assertUniqueUserName(tx: Tx, dir: ScimDirectory, userName: string, exceptId?: string): Promise<void> {
  let q = usersQuery(tx, dir)
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['user_name']), '=', userName.toLowerCase()));
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst())
    throw new ScimError(409, `A user with userName ${userName} already exists`, 'uniqueness');
}

/** What filters see: the stored attributes plus id, active and meta (read only). */
function filterView(row: ScimUserRow): ScimResource {
  const meta = {
    resourceType: 'User',
    created: row.created_at.toISOString(),
    lastModified: row.updated_at.toISOString(),
  };
  return { ...row.resource, id: row.id, active: row.active, meta };
}

async function search(c: ScimContext, deps: ScimWriteDeps, q: SearchQuery): Promise<Response> {
  const dir = c.get('directory');
  const rows = await inTenant(deps.db, dir.organizationId, async (tx) => {
    // The lookup before every create is answered from an index, not by matching the directory.
    const eq = equalityOf(q.filter);
    let query = usersQuery(tx, dir);
    if (eq?.attribute === 'username')
      query = query.where((eb) => eb(eb.fn('lower', ['user_name']), '=', eq.value.toLowerCase()));
    else if (eq?.attribute === 'externalid') query = query.where('external_id', '=', eq.value);
    else if (eq?.attribute === 'id') query = query.where('id', '=', eq.value);
    return query.orderBy('id').execute();
  });
  const matched = selectMatching(rows, q.filter, filterView);
  const slice = matched.slice(q.page.startIndex - 1, q.page.startIndex - 1 + q.page.count);
  const base = c.get('base');
  return scimJson(
    listResponse(
      slice.map((r) => project(toScimUser(r, base), q.selection)),
      matched.length,
      q.page.startIndex,
    ),
  );
}

function answer(row: ScimUserRow, base: string, status = 200): Response {
  const body = toScimUser(row, base);
  const headers: Record<string, string> = { etag: etagOf(row.version) };
  if (status === 201) headers.location = `${base}/Users/${row.id}`;
  return scimJson(body, status, headers);
}

async function replace(
  c: ScimContext,
  deps: ScimWriteDeps,
  next: (current: ScimUserRow) => Promise<ScimResource>,
): Promise<Response> {
  const dir = c.get('directory');
  const id = c.req.param('id') ?? '';
  const row = await scimWrite(deps, dir, async (w) => {
    const current = await loadUser(w.tx, dir, id);
    checkIfMatch(c, current.version);
    const resource = await next(current);
    assertSameId(resource, id);
    const fields = userFields(resource);
    if (!fields.userName) throw new ScimError(400, 'userName is required', 'invalidValue');
    await assertUniqueUserName(w.tx, dir, fields.userName, id);
    const stored = storedUser(resource);
    if (JSON.stringify(stored) === JSON.stringify(current.resource) && fields.active === current.active) return current;
    const updated = await w.tx
      .updateTable('scim_users')
      .set({
        user_name: fields.userName,
        external_id: fields.externalId,
        active: fields.active,
        resource: JSON.stringify(stored),
        version: current.version + 1,
        updated_at: w.at,
      })
      .where('organization_id', '=', dir.organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await w.emit('dsync.user.updated', userWire(dir, updated));
    return updated;
  });
  return answer(row, c.get('base'));
}

export function mountUsers(app: Hono<ScimEnv>, deps: ScimWriteDeps): void {
  app.get('/Users', (c) => search(c, deps, queryOf(c)));
  app.post('/Users/.search', async (c) => search(c, deps, await searchBody(c)));

  app.post('/Users', async (c) => {
    const dir = c.get('directory');
    const resource = parseUser(await readJsonObject(c));
    const fields = userFields(resource);
    const row = await createScimUser(deps, dir, {
      userName: fields.userName,
      externalId: fields.externalId,
      active: fields.active,
      resource: storedUser(resource),
    });
    return answer(row, c.get('base'), 201);
  });

  app.get('/Users/:id', async (c) => {
    const dir = c.get('directory');
    const row = await inTenant(deps.db, dir.organizationId, (tx) => loadUser(tx, dir, c.req.param('id')));
    if (c.req.header('if-none-match') === etagOf(row.version)) return new Response(null, { status: 304 });
    const body = project(toScimUser(row, c.get('base')), querySelection(c));
    return scimJson(body, 200, { etag: etagOf(row.version) });
  });

  app.put('/Users/:id', async (c) => {
    const raw = await readJsonObject(c);
    // scimmy drops read-only attributes, so a changed `id` is checked on the body as sent.
    const body = { ...parseUser(raw), ...(raw.id !== undefined ? { id: raw.id } : {}) };
    return replace(c, deps, async () => body);
  });

  app.patch('/Users/:id', async (c) => {
    const body = await readJsonObject(c);
    assertMutablePaths(body);
    return replace(c, deps, (current) => applyScimPatch('User', toScimUser(current, c.get('base')), body));
  });

  app.delete('/Users/:id', async (c) => {
    const dir = c.get('directory');
    const id = c.req.param('id');
    await scimWrite(deps, dir, async (w) => {
      const current = await loadUser(w.tx, dir, id);
      checkIfMatch(c, current.version);
      await w.tx
        .deleteFrom('scim_users')
        .where('organization_id', '=', dir.organizationId)
        .where('id', '=', id)
        .execute();
      // The mirror keeps the tombstone; the handler ends the person's access and group memberships.
      await w.emit('dsync.user.deleted', userWire(dir, current));
    });
    return new Response(null, { status: 204 });
  });
}
