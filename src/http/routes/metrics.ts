// GET /metrics in the Prometheus text format. Mounted on the main app unless METRICS_PORT gives it
// a listener of its own (then it is reachable only where that port is).
import { Hono } from 'hono';
import type { Registry } from 'prom-client';

export function metricsRoutes(registry: Registry): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  return app;
}
