// Fine-grained authorization: resources, role assignments, access checks and discovery.
import { Hono, type Context } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, listParams, query, defined } from '../request.ts';
import * as resources from '../../services/authorization-resources.ts';
import * as access from '../../services/authorization-access.ts';

export function authorizationRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const r = '/authorization/resources';
  const cascade = (c: Context) => resources.parseCascade(query(c, 'cascade_delete'));
  const membershipQuery = (c: Context) =>
    defined({ permission_slug: query(c, 'permission_slug'), assignment: query(c, 'assignment') });

  app.get(r, (c) =>
    c.json(
      resources.listResources(
        ctx,
        defined({
          organization_id: query(c, 'organization_id'),
          resource_type_slug: query(c, 'resource_type_slug'),
          resource_external_id: query(c, 'resource_external_id'),
          parent_resource_id: query(c, 'parent_resource_id'),
          parent_resource_type_slug: query(c, 'parent_resource_type_slug'),
          parent_external_id: query(c, 'parent_external_id'),
          search: query(c, 'search'),
        }),
        listParams(c),
      ),
    ),
  );
  app.post(r, async (c) => c.json(resources.createResource(ctx, await readBody(c)), 201));
  app.get(`${r}/:id`, (c) => c.json(resources.getResource(ctx, c.req.param('id'))));
  app.patch(`${r}/:id`, async (c) => c.json(resources.updateResource(ctx, c.req.param('id'), await readBody(c))));
  app.delete(`${r}/:id`, (c) => {
    resources.deleteResource(ctx, c.req.param('id'), cascade(c));
    return c.body(null, 204);
  });
  app.get(`${r}/:id/organization_memberships`, (c) =>
    c.json(
      access.listMembershipsForResource(
        ctx,
        access.resourceNodeById(ctx, c.req.param('id')),
        membershipQuery(c),
        listParams(c),
      ),
    ),
  );
  // The SDK's paths for two reads the spec words differently (extensions, listed in the README).
  app.get(`${r}/:id/role_assignments`, (c) =>
    c.json(
      access.listResourceRoleAssignments(
        ctx,
        access.resourceNodeById(ctx, c.req.param('id')),
        query(c, 'role_slug'),
        listParams(c),
      ),
    ),
  );
  app.get(`${r}/:id/organization_memberships/:omId/permissions`, (c) =>
    c.json(
      access.listEffectivePermissions(ctx, c.req.param('omId'), { resource_id: c.req.param('id') }, listParams(c)),
    ),
  );

  const x = '/authorization/organizations/:orgId/resources/:type/:externalId';
  const ext = (c: Context) =>
    [c.req.param('orgId') ?? '', c.req.param('type') ?? '', c.req.param('externalId') ?? ''] as const;
  app.get(x, (c) => c.json(resources.getResourceByExternalId(ctx, ...ext(c))));
  app.patch(x, async (c) => c.json(resources.updateResourceByExternalId(ctx, ...ext(c), await readBody(c))));
  app.delete(x, (c) => {
    resources.deleteResourceByExternalId(ctx, ...ext(c), cascade(c));
    return c.body(null, 204);
  });
  app.get(`${x}/organization_memberships`, (c) =>
    c.json(
      access.listMembershipsForResource(
        ctx,
        access.resourceNodeByExternalId(ctx, ...ext(c)),
        membershipQuery(c),
        listParams(c),
      ),
    ),
  );
  app.get(`${x}/role_assignments`, (c) =>
    c.json(
      access.listResourceRoleAssignments(
        ctx,
        access.resourceNodeByExternalId(ctx, ...ext(c)),
        query(c, 'role_slug'),
        listParams(c),
      ),
    ),
  );

  const m = '/authorization/organization_memberships/:omId';
  app.post(`${m}/check`, async (c) => c.json(access.check(ctx, c.req.param('omId'), await readBody(c))));
  app.get(`${m}/resources`, (c) =>
    c.json(
      access.listResourcesForMembership(
        ctx,
        c.req.param('omId'),
        defined({
          permission_slug: query(c, 'permission_slug'),
          parent_resource_id: query(c, 'parent_resource_id'),
          parent_resource_type_slug: query(c, 'parent_resource_type_slug'),
          parent_resource_external_id: query(c, 'parent_resource_external_id'),
        }),
        listParams(c),
      ),
    ),
  );
  app.get(`${m}/resources/:resourceId/permissions`, (c) =>
    c.json(
      access.listEffectivePermissions(
        ctx,
        c.req.param('omId'),
        { resource_id: c.req.param('resourceId') },
        listParams(c),
      ),
    ),
  );
  app.get(`${m}/resources/:type/:externalId/permissions`, (c) =>
    c.json(
      access.listEffectivePermissions(
        ctx,
        c.req.param('omId'),
        { resource_type_slug: c.req.param('type'), resource_external_id: c.req.param('externalId') },
        listParams(c),
      ),
    ),
  );
  app.get(`${m}/role_assignments`, (c) =>
    c.json(
      access.listRoleAssignments(
        ctx,
        c.req.param('omId'),
        defined({
          resource_id: query(c, 'resource_id'),
          resource_external_id: query(c, 'resource_external_id'),
          resource_type_slug: query(c, 'resource_type_slug'),
        }),
        listParams(c),
      ),
    ),
  );
  app.post(`${m}/role_assignments`, async (c) =>
    c.json(access.assignRole(ctx, c.req.param('omId'), await readBody(c)), 201),
  );
  app.delete(`${m}/role_assignments`, async (c) => {
    access.removeRole(ctx, c.req.param('omId'), await readBody(c));
    return c.body(null, 204);
  });
  app.delete(`${m}/role_assignments/:assignmentId`, (c) => {
    access.removeRoleAssignment(ctx, c.req.param('omId'), c.req.param('assignmentId'));
    return c.body(null, 204);
  });
  return app;
}
