// Hono: `app.use(gatehouse(client))` sets `c.get('auth')`; `requirePermission(p)` refuses without p.
// Typed structurally (no dependency on Hono): the context needs `req.raw`, `set`/`get` and `json`.
import type { GatehouseAuth, GatehouseClient } from './index.ts';
import { problemResponse } from './problem.ts';

interface Ctx {
  req: { raw: Request };
  set(key: 'auth', value: GatehouseAuth): void;
  get(key: 'auth'): GatehouseAuth | undefined;
}
type Next = () => Promise<void>;

/** For `new Hono<{ Variables: GatehouseVariables }>()`. */
export interface GatehouseVariables {
  auth: GatehouseAuth;
}

export function gatehouse(client: GatehouseClient) {
  return async (c: Ctx, next: Next): Promise<Response | undefined> => {
    try {
      c.set('auth', await client.authenticate(c.req.raw));
    } catch (error) {
      return problemResponse(error);
    }
    await next();
    return undefined;
  };
}

export function requirePermission(permission: string) {
  return async (c: Ctx, next: Next): Promise<Response | undefined> => {
    try {
      const auth = c.get('auth');
      if (!auth) throw new TypeError('requirePermission runs after gatehouse(client)');
      auth.require(permission);
    } catch (error) {
      return problemResponse(error);
    }
    await next();
    return undefined;
  };
}
