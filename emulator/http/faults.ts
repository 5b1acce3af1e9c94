// Fault hooks: "the next N requests matching METHOD and PATH answer STATUS with BODY (after
// LATENCY ms)". They let a test make the emulator fail the way WorkOS can — rate limits,
// 5xx, slow answers — without mocking the client. A hook with latency but no status only
// delays the real answer.
import type { MiddlewareHandler } from 'hono';

export interface FaultHook {
  id: string;
  method: string;
  /** Exact path, or a prefix ending in `*` (e.g. `/user_management/*`). */
  path: string;
  remaining: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  latency_ms?: number;
}

export interface FaultHooks {
  add(hook: Omit<FaultHook, 'id' | 'remaining'> & { count?: number }): FaultHook;
  list(): FaultHook[];
  clear(): void;
  /** Takes one use of the first hook matching the request, if any. */
  take(method: string, path: string): FaultHook | undefined;
}

export function createFaultHooks(): FaultHooks {
  let hooks: FaultHook[] = [];
  let next = 1;
  const matches = (hook: FaultHook, method: string, path: string) =>
    (hook.method === '*' || hook.method === method) &&
    (hook.path.endsWith('*') ? path.startsWith(hook.path.slice(0, -1)) : hook.path === path);
  return {
    add(input) {
      const { count, ...rest } = input;
      const hook: FaultHook = {
        ...rest,
        method: rest.method.toUpperCase(),
        id: `fault_${next++}`,
        remaining: count ?? 1,
      };
      hooks.push(hook);
      return { ...hook };
    },
    list: () => hooks.map((h) => ({ ...h })),
    clear() {
      hooks = [];
    },
    take(method, path) {
      const hook = hooks.find((h) => matches(h, method, path));
      if (!hook) return undefined;
      hook.remaining -= 1;
      if (hook.remaining <= 0) hooks = hooks.filter((h) => h !== hook);
      return hook;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Applies hooks to every request except the control surface (which must stay reachable). */
export function faultMiddleware(hooks: FaultHooks): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith('/_emulator/')) return next();
    const hook = hooks.take(c.req.method, c.req.path);
    if (!hook) return next();
    if (hook.latency_ms) await sleep(hook.latency_ms);
    if (hook.status === undefined) return next();
    const headers: Record<string, string> = { ...hook.headers };
    // A 429 without Retry-After is not what WorkOS sends; default it so clients can back off.
    if (hook.status === 429 && !Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after'))
      headers['Retry-After'] = '1';
    const body = hook.body ?? defaultBody(hook.status);
    return c.json(body as object, hook.status as 400, headers);
  };
}

function defaultBody(status: number): object {
  if (status === 429) return { code: 'rate_limit_exceeded', message: 'Too many requests.' };
  if (status >= 500) return { code: 'server_error', message: 'Internal server error.' };
  return { code: `http_${status}`, message: `Injected fault ${status}.` };
}
