// Liveness and readiness. /healthz says the process answers; /readyz that it can serve: the
// database answers and carries every migration this build expects. Load balancers route on /readyz.
import { Hono } from 'hono';
import { AppError } from '../../core/errors.ts';
import { checkReady, type Store } from '../../store/store.ts';

export function healthRoutes(store: Store): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const ready = await checkReady(store);
    if (!ready.ok) throw new AppError(ready.reason.startsWith('database at') ? 'STORE_NOT_MIGRATED' : 'STORE_UNAVAILABLE', `Not ready: ${ready.reason}`);
    return c.json({ status: 'ready' });
  });
  return app;
}
