// Liveness and readiness. /healthz says the process answers; /readyz that it can serve: the
// database answers and carries every migration this build expects. Load balancers route on /readyz.
import { Hono } from 'hono';
import { AppError } from '../../core/errors.ts';
import { checkReady, type Store } from '../../store/store.ts';
import { readBacklog } from '../../webhooks/apply-queue.ts';

export function healthRoutes(store: Store): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const ready = await checkReady(store);
    if (!ready.ok)
      throw new AppError(
        ready.reason.startsWith('database at') ? 'STORE_NOT_MIGRATED' : 'STORE_UNAVAILABLE',
        `Not ready: ${ready.reason}`,
      );
    // The webhook apply backlog is a detail, not a reason to leave the pool: an instance that is
    // behind still serves every request correctly (revocations are applied first-come by any worker).
    const applyBacklog = await readBacklog(store.db).catch(() => null);
    return c.json({ status: 'ready', details: { applyBacklog } });
  });
  return app;
}
