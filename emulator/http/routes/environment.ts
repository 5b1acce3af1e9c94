// Environment-level features: API keys, feature flags, audit-log schemas/exports/retention,
// organization groups, the JWT template and widget tokens.
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, listParams, query, defined } from '../request.ts';
import * as apiKeys from '../../services/api-keys.ts';
import * as flags from '../../services/feature-flags.ts';
import * as audit from '../../services/audit-logs.ts';
import * as widgets from '../../services/widgets.ts';
import * as groups from '../../services/groups.ts';

export function environmentRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/organizations/:orgId/api_keys', async (c) =>
    c.json(apiKeys.createOrganizationApiKey(ctx, c.req.param('orgId'), await readBody(c)), 201),
  );
  app.get('/organizations/:orgId/api_keys', (c) =>
    c.json(apiKeys.listOrganizationApiKeys(ctx, c.req.param('orgId'), listParams(c))),
  );
  app.post('/user_management/users/:userId/api_keys', async (c) =>
    c.json(apiKeys.createUserApiKey(ctx, c.req.param('userId'), await readBody(c)), 201),
  );
  app.get('/user_management/users/:userId/api_keys', (c) =>
    c.json(
      apiKeys.listUserApiKeys(
        ctx,
        c.req.param('userId'),
        defined({ organization_id: query(c, 'organization_id') }),
        listParams(c),
      ),
    ),
  );
  app.delete('/api_keys/:id', (c) => {
    apiKeys.deleteApiKey(ctx, c.req.param('id'));
    return c.body(null, 204);
  });
  app.post('/api_keys/validations', async (c) => c.json(apiKeys.validateApiKey(ctx, await readBody(c))));

  app.get('/feature-flags', (c) => c.json(flags.listFeatureFlags(ctx, listParams(c))));
  app.get('/feature-flags/:slug', (c) => c.json(flags.getFeatureFlag(ctx, c.req.param('slug'))));
  app.put('/feature-flags/:slug/enable', (c) => c.json(flags.setFeatureFlagEnabled(ctx, c.req.param('slug'), true)));
  app.put('/feature-flags/:slug/disable', (c) => c.json(flags.setFeatureFlagEnabled(ctx, c.req.param('slug'), false)));
  app.post('/feature-flags/:slug/targets/:resourceId', (c) => {
    flags.addFeatureFlagTarget(ctx, c.req.param('slug'), c.req.param('resourceId'));
    return c.body(null, 204);
  });
  app.delete('/feature-flags/:slug/targets/:resourceId', (c) => {
    flags.removeFeatureFlagTarget(ctx, c.req.param('slug'), c.req.param('resourceId'));
    return c.body(null, 204);
  });
  app.get('/organizations/:orgId/feature-flags', (c) =>
    c.json(flags.listOrganizationFeatureFlags(ctx, c.req.param('orgId'), listParams(c))),
  );
  app.get('/user_management/users/:userId/feature-flags', (c) =>
    c.json(flags.listUserFeatureFlags(ctx, c.req.param('userId'), listParams(c))),
  );

  app.get('/audit_logs/actions', (c) => c.json(audit.listAuditLogActions(ctx, listParams(c))));
  app.post('/audit_logs/actions/:action/schemas', async (c) =>
    c.json(audit.createAuditLogSchema(ctx, c.req.param('action'), await readBody(c)), 201),
  );
  app.get('/audit_logs/actions/:action/schemas', (c) =>
    c.json(audit.listAuditLogSchemas(ctx, c.req.param('action'), listParams(c))),
  );
  app.post('/audit_logs/exports', async (c) => c.json(audit.createAuditLogExport(ctx, await readBody(c)), 201));
  app.get('/audit_logs/exports/:id', (c) => c.json(audit.getAuditLogExport(ctx, c.req.param('id'))));
  // Where an export's URL points (a presigned download at WorkOS: no API key).
  app.get('/_hosted/audit-log-exports/:file', (c) => {
    const csv = audit.auditLogExportCsv(ctx, c.req.param('file').replace(/\.csv$/, ''));
    return csv === null
      ? c.json({ message: 'Not found' }, 404)
      : c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8' });
  });
  app.get('/organizations/:id/audit_logs_retention', (c) => c.json(audit.getRetention(ctx, c.req.param('id'))));
  app.put('/organizations/:id/audit_logs_retention', async (c) =>
    c.json(audit.setRetention(ctx, c.req.param('id'), await readBody(c))),
  );
  app.get('/organizations/:id/audit_log_configuration', (c) =>
    c.json(audit.getAuditLogConfiguration(ctx, c.req.param('id'))),
  );

  const g = '/organizations/:orgId/groups';
  app.post(g, async (c) => c.json(groups.createGroup(ctx, c.req.param('orgId'), await readBody(c)), 201));
  app.get(g, (c) => c.json(groups.listGroups(ctx, c.req.param('orgId'), listParams(c))));
  app.get(`${g}/:groupId`, (c) => c.json(groups.getGroup(ctx, c.req.param('orgId'), c.req.param('groupId'))));
  app.patch(`${g}/:groupId`, async (c) =>
    c.json(groups.updateGroup(ctx, c.req.param('orgId'), c.req.param('groupId'), await readBody(c))),
  );
  app.delete(`${g}/:groupId`, (c) => {
    groups.deleteGroup(ctx, c.req.param('orgId'), c.req.param('groupId'));
    return c.body(null, 204);
  });
  app.post(`${g}/:groupId/organization-memberships`, async (c) =>
    c.json(groups.addGroupMembership(ctx, c.req.param('orgId'), c.req.param('groupId'), await readBody(c))),
  );
  app.get(`${g}/:groupId/organization-memberships`, (c) =>
    c.json(groups.listGroupMemberships(ctx, c.req.param('orgId'), c.req.param('groupId'), listParams(c))),
  );
  app.delete(`${g}/:groupId/organization-memberships/:omId`, (c) => {
    groups.removeGroupMembership(ctx, c.req.param('orgId'), c.req.param('groupId'), c.req.param('omId'));
    return c.body(null, 204);
  });
  app.get('/user_management/organization_memberships/:omId/groups', (c) =>
    c.json(groups.listMembershipGroups(ctx, c.req.param('omId'), listParams(c))),
  );

  app.get('/user_management/jwt_template', (c) => c.json(widgets.getJwtTemplate(ctx)));
  app.put('/user_management/jwt_template', async (c) => c.json(widgets.setJwtTemplate(ctx, await readBody(c))));
  app.post('/widgets/token', async (c) => c.json(await widgets.createWidgetToken(ctx, await readBody(c)), 201));
  return app;
}
