// /portal/generate_link, /events, /webhook_endpoints and audit log ingestion.
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, listParams, query, queryList, defined } from '../request.ts';
import { generatePortalLink } from '../../services/portal.ts';
import { listEvents } from '../../services/events.ts';
import * as endpoints from '../../services/webhook-endpoints.ts';
import { createAuditLogEvent } from '../../services/audit-logs.ts';

export function platformRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/portal/generate_link', async (c) => c.json(generatePortalLink(ctx, await readBody(c)), 201));

  app.get('/events', (c) => {
    const limit = query(c, 'limit');
    const order = query(c, 'order');
    return c.json(
      listEvents(
        ctx,
        defined({
          events: queryList(c, 'events'),
          organization_id: query(c, 'organization_id'),
          range_start: query(c, 'range_start'),
          range_end: query(c, 'range_end'),
          after: query(c, 'after'),
          limit: limit === undefined ? undefined : Number(limit),
          order: order === 'desc' ? ('desc' as const) : order === undefined ? undefined : ('asc' as const),
        }),
      ),
    );
  });

  app.post('/webhook_endpoints', async (c) => c.json(endpoints.createWebhookEndpoint(ctx, await readBody(c)), 201));
  app.get('/webhook_endpoints', (c) => c.json(endpoints.listWebhookEndpoints(ctx, listParams(c))));
  app.get('/webhook_endpoints/:id', (c) => c.json(endpoints.getWebhookEndpoint(ctx, c.req.param('id'))));
  app.patch('/webhook_endpoints/:id', async (c) =>
    c.json(endpoints.updateWebhookEndpoint(ctx, c.req.param('id'), await readBody(c))),
  );
  app.delete('/webhook_endpoints/:id', (c) => {
    endpoints.deleteWebhookEndpoint(ctx, c.req.param('id'));
    return c.body(null, 204);
  });

  // Stored for exports; a registered action schema decides which targets an event may name.
  app.post('/audit_logs/events', async (c) => c.json(createAuditLogEvent(ctx, await readBody(c))));
  return app;
}
