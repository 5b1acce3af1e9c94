import SCIMMY from 'scimmy';
import type { Hono } from 'hono';
import type { World } from '../state/world.ts';
import type { DirectoryUserWire } from '../state/types.ts';
import { createDirectoryUser, deleteDirectoryUser, updateDirectoryUser } from './directory-sync.ts';
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
import { scim, type ScimContext, type ScimEnv } from './http.ts';
import { scimBoolean, type ScimResource } from '../../protocols/scim/resources.ts';
import { scimUserFromRaw, userFieldsFromScim } from './mapping.ts';
import { applyScimPatch } from '../../protocols/scim/patch.ts';
import { usersNamed } from './user-names.ts';

// /Users: what Okta and Entra call to provision, look up, update, deactivate and remove people.

function toScim(user: DirectoryUserWire, base: string): ScimResource {
  return scimUserFromRaw(
    user.raw_attributes,
    { id: user.id, created_at: user.created_at, updated_at: user.updated_at, location: `${base}/Users/${user.id}` },
    user.state === 'active',
  );
}

/** What filters see: the stored SCIM attributes plus id and active, shallow (read only). */
function filterView(user: DirectoryUserWire): ScimResource {
  const meta = { resourceType: 'User', created: user.created_at, lastModified: user.updated_at };
  return { ...user.raw_attributes, id: user.id, active: user.state === 'active', meta };
}

function usersOf(world: World, directoryId: string): DirectoryUserWire[] {
  return [...world.directoryUsers.values()].filter((u) => u.directory_id === directoryId);
}

function findUser(c: ScimContext, world: World): DirectoryUserWire {
  const id = c.req.param('id') ?? '';
  const user = world.directoryUsers.get(id);
  if (!user || user.directory_id !== c.get('directory').id) throw notFound('User', id);
  return user;
}

/** Validates a full User representation (POST, PUT) against the SCIM User schema. */
function parseUser(body: Record<string, unknown>): ScimResource {
  // Entra may send "True"/"False"; scimmy's schema accepts only real booleans.
  const input = 'active' in body ? { ...body, active: scimBoolean(body.active, true) } : body;
  // The schema definition's coercion validates and shapes exactly as a Schemas.User instance does,
  // without defining accessors on a new object per attribute (most of a create's CPU time). The
  // instance is still built when `schemas` names something else, for its refusal.
  const { definition } = SCIMMY.Schemas.User;
  const schemas: unknown = input.schemas;
  if (Array.isArray(schemas) && schemas.length > 0 && !schemas.includes(definition.id))
    return JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(input, 'in'))) as ScimResource;
  return JSON.parse(JSON.stringify(definition.coerce(input, 'in'))) as ScimResource;
}

function assertUniqueUserName(world: World, directoryId: string, userName: string | null, exceptId?: string): void {
  if (!userName) return;
  const taken = usersNamed(world, directoryId, userName).some((u) => u.id !== exceptId);
  if (taken) throw new ScimError(409, `User with userName ${userName} already exists`, 'uniqueness');
}

function search(c: ScimContext, world: World, q: SearchQuery): Response {
  const directoryId = c.get('directory').id;
  const equality = equalityOf(q.filter);
  const name = equality?.attribute === 'username' ? equality.value : null;
  const pool = name === null ? usersOf(world, directoryId) : usersNamed(world, directoryId, name);
  const matched = selectMatching(pool, q.filter, filterView);
  const slice = matched.slice(q.page.startIndex - 1, q.page.startIndex - 1 + q.page.count);
  return scimJson(
    listResponse(
      slice.map((u) => project(toScim(u, c.get('base')), q.selection)),
      matched.length,
      q.page.startIndex,
    ),
  );
}

export function mountUsers(app: Hono<ScimEnv>, world: World): void {
  app.get(
    '/:directoryId/Users',
    scim((c) => search(c, world, queryOf(c))),
  );
  app.post(
    '/:directoryId/Users/.search',
    scim(async (c) => search(c, world, await searchBody(c))),
  );

  app.post(
    '/:directoryId/Users',
    scim(async (c) => {
      const directory = c.get('directory');
      const fields = userFieldsFromScim(parseUser(await readJsonObject(c)));
      assertUniqueUserName(world, directory.id, fields.username);
      const user = createDirectoryUser(world, directory, fields);
      const body = toScim(user, c.get('base'));
      return scimJson(body, 201, { location: (body.meta as { location: string }).location });
    }),
  );

  app.get(
    '/:directoryId/Users/:id',
    scim((c) => scimJson(project(toScim(findUser(c, world), c.get('base')), querySelection(c)))),
  );

  app.put(
    '/:directoryId/Users/:id',
    scim(async (c) => {
      const user = findUser(c, world);
      const fields = userFieldsFromScim(parseUser(await readJsonObject(c)));
      assertUniqueUserName(world, user.directory_id, fields.username, user.id);
      return scimJson(toScim(updateDirectoryUser(world, user, fields), c.get('base')));
    }),
  );

  app.patch(
    '/:directoryId/Users/:id',
    scim(async (c) => {
      const user = findUser(c, world);
      const current = structuredClone(toScim(user, c.get('base')));
      const patched = await applyScimPatch('User', current, await readJsonObject(c));
      const fields = userFieldsFromScim(patched);
      assertUniqueUserName(world, user.directory_id, fields.username, user.id);
      return scimJson(toScim(updateDirectoryUser(world, user, fields), c.get('base')));
    }),
  );

  app.delete(
    '/:directoryId/Users/:id',
    scim((c) => {
      deleteDirectoryUser(world, findUser(c, world));
      return new Response(null, { status: 204 });
    }),
  );
}
