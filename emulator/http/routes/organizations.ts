// /organizations, /organization_domains and /authorization (roles, permissions).
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, listParams, query, queryList, defined } from '../request.ts';
import * as orgs from '../../services/organizations.ts';
import * as roles from '../../services/roles.ts';

export function organizationRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/organizations', async (c) => c.json(orgs.createOrganization(ctx, await readBody(c)), 201));
  app.get('/organizations', (c) =>
    c.json(
      orgs.listOrganizations(
        ctx,
        defined({ domains: queryList(c, 'domains'), search: query(c, 'search') }),
        listParams(c),
      ),
    ),
  );
  app.get('/organizations/external_id/:externalId', (c) =>
    c.json(orgs.getOrganizationByExternalId(ctx, c.req.param('externalId'))),
  );
  app.get('/organizations/:id', (c) => c.json(orgs.getOrganization(ctx, c.req.param('id'))));
  app.put('/organizations/:id', async (c) =>
    c.json(orgs.updateOrganization(ctx, c.req.param('id'), await readBody(c))),
  );
  app.delete('/organizations/:id', (c) => {
    orgs.deleteOrganization(ctx, c.req.param('id'));
    return c.body(null, 200);
  });
  // The SDK's organizations.listOrganizationRoles uses this older path.
  app.get('/organizations/:id/roles', (c) => c.json(roles.listOrganizationRoles(ctx, c.req.param('id'))));

  app.post('/organization_domains', async (c) => c.json(orgs.createOrganizationDomain(ctx, await readBody(c)), 201));
  app.get('/organization_domains/:id', (c) => c.json({ ...orgs.requireDomain(ctx, c.req.param('id')) }));
  app.post('/organization_domains/:id/verify', (c) =>
    c.json(orgs.verifyOrganizationDomain(ctx, c.req.param('id')), 201),
  );
  app.delete('/organization_domains/:id', (c) => {
    orgs.deleteOrganizationDomain(ctx, c.req.param('id'));
    return c.body(null, 204);
  });

  const a = '/authorization';
  app.get(`${a}/roles`, (c) => c.json(roles.listEnvironmentRoles(ctx)));
  app.post(`${a}/roles`, async (c) => c.json(roles.createRole(ctx, null, await readBody(c)), 201));
  app.get(`${a}/roles/:slug`, (c) => c.json(roles.getRole(ctx, null, c.req.param('slug'))));
  app.patch(`${a}/roles/:slug`, async (c) =>
    c.json(roles.updateRole(ctx, null, c.req.param('slug'), await readBody(c))),
  );
  app.put(`${a}/roles/:slug/permissions`, async (c) =>
    c.json(roles.setRolePermissions(ctx, null, c.req.param('slug'), await readBody(c))),
  );
  app.post(`${a}/roles/:slug/permissions`, async (c) =>
    c.json(roles.addRolePermission(ctx, null, c.req.param('slug'), await readBody(c))),
  );

  const o = `${a}/organizations/:orgId/roles`;
  app.get(o, (c) => c.json(roles.listOrganizationRoles(ctx, c.req.param('orgId'))));
  app.post(o, async (c) => c.json(roles.createRole(ctx, c.req.param('orgId'), await readBody(c)), 201));
  app.get(`${o}/:slug`, (c) => c.json(roles.getRole(ctx, c.req.param('orgId'), c.req.param('slug'))));
  app.patch(`${o}/:slug`, async (c) =>
    c.json(roles.updateRole(ctx, c.req.param('orgId'), c.req.param('slug'), await readBody(c))),
  );
  app.delete(`${o}/:slug`, (c) => {
    roles.deleteRole(ctx, c.req.param('orgId'), c.req.param('slug'));
    return c.body(null, 204);
  });
  app.put(`${o}/:slug/permissions`, async (c) =>
    c.json(roles.setRolePermissions(ctx, c.req.param('orgId'), c.req.param('slug'), await readBody(c))),
  );
  app.post(`${o}/:slug/permissions`, async (c) =>
    c.json(roles.addRolePermission(ctx, c.req.param('orgId'), c.req.param('slug'), await readBody(c))),
  );
  app.delete(`${o}/:slug/permissions/:permission`, (c) =>
    c.json(roles.removeRolePermission(ctx, c.req.param('orgId'), c.req.param('slug'), c.req.param('permission'))),
  );

  app.get(`${a}/permissions`, (c) => c.json(roles.listPermissions(ctx, listParams(c))));
  app.post(`${a}/permissions`, async (c) => c.json(roles.createPermission(ctx, await readBody(c)), 201));
  app.get(`${a}/permissions/:slug`, (c) => c.json(roles.getPermission(ctx, c.req.param('slug'))));
  app.patch(`${a}/permissions/:slug`, async (c) =>
    c.json(roles.updatePermission(ctx, c.req.param('slug'), await readBody(c))),
  );
  app.delete(`${a}/permissions/:slug`, (c) => {
    roles.deletePermission(ctx, c.req.param('slug'));
    return c.body(null, 204);
  });
  return app;
}
