// Fastify: `app.addHook('onRequest', gatehouse(client))` sets `request.auth`;
// `{ onRequest: [gatehouse(client), requirePermission('notes:write')] }` per route.
// Typed structurally, so the package does not depend on Fastify.
import type { GatehouseAuth, GatehouseClient } from './index.ts';
import { problemOf } from './problem.ts';

interface Req {
  headers: Record<string, string | string[] | undefined>;
  auth?: GatehouseAuth;
}
interface Reply {
  code(status: number): Reply;
  header(name: string, value: string): Reply;
  send(body: string): unknown;
}

function refuse(reply: Reply, error: unknown): unknown {
  const problem = problemOf(error);
  if (!problem) throw error;
  return reply.code(problem.status).header('content-type', 'application/problem+json').send(JSON.stringify(problem));
}

export function gatehouse(client: GatehouseClient) {
  return async (request: Req, reply: Reply): Promise<unknown> => {
    try {
      request.auth = await client.authenticate(request);
    } catch (error) {
      return refuse(reply, error);
    }
    return undefined;
  };
}

export function requirePermission(permission: string) {
  return async (request: Req, reply: Reply): Promise<unknown> => {
    try {
      if (!request.auth) throw new TypeError('requirePermission runs after gatehouse(client)');
      request.auth.require(permission);
    } catch (error) {
      return refuse(reply, error);
    }
    return undefined;
  };
}
