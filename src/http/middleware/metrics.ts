// Request counts and latency per route template (`/api/v1/organizations/:orgId/members`, never the
// concrete path, which carries ids). The template is the route that answered; a request no route
// matched is counted under the middleware pattern that ended it (`*` for a plain 404).
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../../metrics/metrics.ts';

export function requestMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = { method: c.req.method, route: routePath(c) || '*', status: String(c.res.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
