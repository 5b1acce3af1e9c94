// WorkOS Connect applications and their client secrets.
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, listParams, query } from '../request.ts';
import * as connect from '../../services/connect-applications.ts';

export function connectRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const a = '/connect/applications';
  app.get(a, (c) => c.json(connect.listApplications(ctx, query(c, 'organization_id'), listParams(c))));
  app.post(a, async (c) => c.json(connect.createApplication(ctx, await readBody(c)), 201));
  app.get(`${a}/:id`, (c) => c.json(connect.getApplication(ctx, c.req.param('id'))));
  app.put(`${a}/:id`, async (c) => c.json(connect.updateApplication(ctx, c.req.param('id'), await readBody(c))));
  app.delete(`${a}/:id`, (c) => {
    connect.deleteApplication(ctx, c.req.param('id'));
    return c.body(null, 204);
  });
  app.get(`${a}/:id/client_secrets`, (c) => c.json(connect.listSecrets(ctx, c.req.param('id'))));
  app.post(`${a}/:id/client_secrets`, (c) => c.json(connect.createSecret(ctx, c.req.param('id')), 201));
  app.delete('/connect/client_secrets/:id', (c) => {
    connect.deleteSecret(ctx, c.req.param('id'));
    return c.body(null, 204);
  });
  return app;
}
