// One log line per request: method, path (never the query string, which can carry codes and
// tokens), status, duration and request id.
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../logger.ts';
import { clientAddressOf } from '../client-address.ts';

export function accessLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const line = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      client: clientAddressOf(c),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  };
}
