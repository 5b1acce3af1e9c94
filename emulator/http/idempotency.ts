// `Idempotency-Key` on POST, as WorkOS honours it: the first request with a key runs, its answer
// is kept for 24 hours, and a retry with the same key and the same body gets that answer again
// instead of running twice (the SDK adds a key to every POST it may retry, so a timeout followed
// by a retry must not create a second organization). The same key with a different body is
// refused (422). Answers that say "try again" (429, 5xx) are not kept, so the retry really runs.
// Concurrent requests with one key wait for the first. Keys are per API key and path.
import type { MiddlewareHandler } from 'hono';
import { createHash } from 'node:crypto';
import type { World } from '../state/world.ts';

const TTL_MS = 24 * 3600 * 1000;

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

export function idempotencyMiddleware(world: World): MiddlewareHandler {
  const inFlight = new Map<string, Promise<void>>();
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || !key || c.req.path.startsWith('/_emulator/')) return next();
    const scope = createHash('sha256')
      .update(`${c.req.header('authorization') ?? ''}\n${c.req.path}\n${key}`)
      .digest('hex');
    while (inFlight.has(scope)) await inFlight.get(scope);
    const fingerprint = createHash('sha256')
      .update(await c.req.text())
      .digest('hex');
    const kept = world.idempotency.get(scope);
    if (kept && world.clock.nowMs() - kept.atMs < TTL_MS) {
      if (kept.fingerprint !== fingerprint) {
        return c.json(
          {
            code: 'idempotency_key_reused',
            message: 'This Idempotency-Key was used with a different request body.',
            errors: [{ field: 'Idempotency-Key', code: 'idempotency_key_reused' }],
          },
          422,
        );
      }
      const headers = new Headers({ 'Idempotent-Replayed': 'true' });
      if (kept.contentType) headers.set('content-type', kept.contentType);
      return new Response(kept.status === 204 ? null : kept.body, { status: kept.status, headers });
    }
    let done!: () => void;
    inFlight.set(scope, new Promise<void>((resolve) => (done = resolve)));
    try {
      await next();
      // Redirects are browser flows, never replayed; a kept 4xx tells the retry the same thing.
      if (c.res.status < 300 || (c.res.status >= 400 && !retryable(c.res.status))) {
        const body = await c.res.clone().text();
        world.idempotency.set(scope, {
          fingerprint,
          status: c.res.status,
          contentType: c.res.headers.get('content-type'),
          body,
          atMs: world.clock.nowMs(),
        });
      }
    } finally {
      inFlight.delete(scope);
      done();
    }
  };
}
