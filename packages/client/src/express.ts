// Express (and Connect): `app.use(gatehouse(client))` puts the caller's AuthContext on `req.auth`;
// `requirePermission('notes:write')` after it refuses callers without it. Refusals are
// problem+json with Gatehouse's code. Typed structurally, so the package does not depend on Express.
import type { GatehouseAuth, GatehouseClient } from './index.ts';
import { problemOf } from './problem.ts';

interface Req {
  headers: Record<string, string | string[] | undefined>;
  auth?: GatehouseAuth;
}
interface Res {
  status(code: number): Res;
  set(name: string, value: string): Res;
  send(body: string): unknown;
}
type Next = (error?: unknown) => void;

function refuse(res: Res, error: unknown, next: Next): void {
  const problem = problemOf(error);
  if (!problem) {
    next(error);
    return;
  }
  res.status(problem.status).set('content-type', 'application/problem+json').send(JSON.stringify(problem));
}

export function gatehouse(client: GatehouseClient) {
  return (req: Req, res: Res, next: Next): void => {
    client.authenticate(req).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (error: unknown) => refuse(res, error, next),
    );
  };
}

export function requirePermission(permission: string) {
  return (req: Req, res: Res, next: Next): void => {
    try {
      if (!req.auth) throw new TypeError('requirePermission runs after gatehouse(client)');
      req.auth.require(permission);
      next();
    } catch (error) {
      refuse(res, error, next);
    }
  };
}
