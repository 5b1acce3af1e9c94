import SCIMMY from 'scimmy';
import type { Hono } from 'hono';
import type { World } from '../state/world.ts';
import type { DirectoryGroupWire } from '../state/types.ts';
import { createDirectoryGroup, deleteDirectoryGroup, updateDirectoryGroup } from './directory-sync.ts';
import { listResponse } from '../../protocols/scim/discovery.ts';
import { notFound, ScimError } from '../../protocols/scim/errors.ts';
import { selectMatching } from '../../protocols/scim/filter.ts';
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
import type { ScimResource } from '../../protocols/scim/resources.ts';
import { groupFieldsFromScim, memberIdsFromScim, scimGroupFromRaw } from './mapping.ts';
import { applyScimPatch } from '../../protocols/scim/patch.ts';

// /Groups: group lifecycle and membership churn. Okta adds and removes members with PATCH
// (`members[value eq "…"]` paths), Entra with PATCH `members` + a value list; both rename
// with a path-less replace. Membership changes become `dsync.group.user_added/user_removed`.

function membersOf(world: World, group: DirectoryGroupWire) {
  return [...(world.groupMembers.get(group.id) ?? [])].map((id) => {
    const user = world.directoryUsers.get(id);
    return { value: id, display: user?.username ?? user?.email ?? id };
  });
}

function toScim(world: World, group: DirectoryGroupWire, base: string): ScimResource {
  return scimGroupFromRaw(
    group.raw_attributes,
    {
      id: group.id,
      created_at: group.created_at,
      updated_at: group.updated_at,
      location: `${base}/Groups/${group.id}`,
    },
    membersOf(world, group),
  );
}

function groupsOf(world: World, directoryId: string): DirectoryGroupWire[] {
  return [...world.directoryGroups.values()].filter((g) => g.directory_id === directoryId);
}

function findGroup(c: ScimContext, world: World): DirectoryGroupWire {
  const id = c.req.param('id') ?? '';
  const group = world.directoryGroups.get(id);
  if (!group || group.directory_id !== c.get('directory').id) throw notFound('Group', id);
  return group;
}

function parseGroup(body: Record<string, unknown>): ScimResource {
  return JSON.parse(JSON.stringify(new SCIMMY.Schemas.Group(body, 'in'))) as ScimResource;
}

function assertUniqueName(world: World, directoryId: string, name: string, exceptId?: string): void {
  const taken = groupsOf(world, directoryId).some(
    (g) => g.id !== exceptId && g.name.toLowerCase() === name.toLowerCase(),
  );
  if (taken) throw new ScimError(409, `Group with displayName ${name} already exists`, 'uniqueness');
}

function search(c: ScimContext, world: World, q: SearchQuery): Response {
  // Members are joined only for filters that mention them: a large group is costly to build.
  const { filter, page } = q;
  const view =
    filter && /members/i.test(filter)
      ? (g: DirectoryGroupWire) => toScim(world, g, c.get('base'))
      : (g: DirectoryGroupWire) => ({
          ...g.raw_attributes,
          id: g.id,
          meta: { resourceType: 'Group', created: g.created_at, lastModified: g.updated_at },
        });
  const matched = selectMatching(groupsOf(world, c.get('directory').id), filter, view);
  const slice = matched.slice(page.startIndex - 1, page.startIndex - 1 + page.count);
  return scimJson(
    listResponse(
      slice.map((g) => project(toScim(world, g, c.get('base')), q.selection)),
      matched.length,
      page.startIndex,
    ),
  );
}

export function mountGroups(app: Hono<ScimEnv>, world: World): void {
  app.get(
    '/:directoryId/Groups',
    scim((c) => search(c, world, queryOf(c))),
  );
  app.post(
    '/:directoryId/Groups/.search',
    scim(async (c) => search(c, world, await searchBody(c))),
  );

  app.post(
    '/:directoryId/Groups',
    scim(async (c) => {
      const directory = c.get('directory');
      const resource = parseGroup(await readJsonObject(c));
      const fields = groupFieldsFromScim(resource, '');
      assertUniqueName(world, directory.id, fields.name);
      const group = createDirectoryGroup(world, directory, fields, memberIdsFromScim(resource));
      const body = toScim(world, group, c.get('base'));
      return scimJson(body, 201, { location: (body.meta as { location: string }).location });
    }),
  );

  app.get(
    '/:directoryId/Groups/:id',
    scim((c) => scimJson(project(toScim(world, findGroup(c, world), c.get('base')), querySelection(c)))),
  );

  app.put(
    '/:directoryId/Groups/:id',
    scim(async (c) => {
      const group = findGroup(c, world);
      const resource = parseGroup(await readJsonObject(c));
      const fields = groupFieldsFromScim(resource, group.idp_id);
      assertUniqueName(world, group.directory_id, fields.name, group.id);
      const next = updateDirectoryGroup(world, group, fields, memberIdsFromScim(resource));
      return scimJson(toScim(world, next, c.get('base')));
    }),
  );

  app.patch(
    '/:directoryId/Groups/:id',
    scim(async (c) => {
      const group = findGroup(c, world);
      const patched = await applyScimPatch('Group', toScim(world, group, c.get('base')), await readJsonObject(c));
      const fields = groupFieldsFromScim(patched, group.idp_id);
      assertUniqueName(world, group.directory_id, fields.name, group.id);
      const next = updateDirectoryGroup(world, group, fields, memberIdsFromScim(patched));
      // Entra sends membership PATCHes by the thousand and wants no body back (RFC 7644 allows 204).
      return c.req.query('excludedAttributes') === 'members' || c.req.header('prefer') === 'return=minimal'
        ? new Response(null, { status: 204 })
        : scimJson(toScim(world, next, c.get('base')));
    }),
  );

  app.delete(
    '/:directoryId/Groups/:id',
    scim((c) => {
      deleteDirectoryGroup(world, findGroup(c, world));
      return new Response(null, { status: 204 });
    }),
  );
}
