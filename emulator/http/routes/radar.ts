// Radar standalone: attempt verdicts and allow/block lists.
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody } from '../request.ts';
import * as radar from '../../services/radar.ts';

export function radarRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/radar/attempts', async (c) => c.json(radar.assessAttempt(ctx, await readBody(c))));
  app.put('/radar/attempts/:id', async (c) => {
    radar.updateAttempt(ctx, c.req.param('id'), await readBody(c));
    return c.body(null, 204);
  });
  app.post('/radar/lists/:type/:action', async (c) => {
    const { added } = radar.addListEntry(ctx, c.req.param('type'), c.req.param('action'), await readBody(c));
    return added ? c.body(null, 201) : c.json({ message: 'Entry already present in list.' }, 200);
  });
  // The entry travels in the body of the DELETE, as the spec and the SDK send it.
  app.delete('/radar/lists/:type/:action', async (c) => {
    radar.removeListEntry(ctx, c.req.param('type'), c.req.param('action'), await readBody(c));
    return c.body(null, 204);
  });
  return app;
}
