// Each framework layer in a real minimal app on a port (Express, Fastify, Hono on Node's server)
// or, for Next.js, the exported route handler and middleware called with Web Request objects (what
// Next.js hands them; a whole Next.js app is too heavy for this machine). Every app answers the same
// three cases: no credential (401), a member without the permission (403), an admin (200 + identity).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createGatehouseClient, type GatehouseAuth, type GatehouseClient } from '../../packages/client/src/index.ts';
import * as forExpress from '../../packages/client/src/express.ts';
import * as forFastify from '../../packages/client/src/fastify.ts';
import * as forHono from '../../packages/client/src/hono.ts';
import { gatehouseMiddleware, withGatehouse } from '../../packages/client/src/next.ts';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';

const PERMISSION = 'members:manage';
type Call = (headers: Record<string, string>) => Promise<{ status: number; body: Record<string, unknown> }>;

describe('framework middleware over the client', () => {
  let world: AppWorld;
  let client: GatehouseClient;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    world = await startAppWorld();
    client = createGatehouseClient({
      url: world.url,
      credential: world.appKeys.acme,
      logger: { warn() {}, info() {} },
    });
    await client.ready;
  });
  after(async () => {
    for (const close of closers) await close();
    client?.close();
    await world?.close();
  });

  const overHttp =
    (url: string): Call =>
    async (headers) => {
      const res = await fetch(`${url}/notes`, { headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
  const closeServer = (server: Server) => () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  const identity = (auth: GatehouseAuth) => ({ org: auth.organizationId, role: auth.role });

  const apps: Record<string, () => Promise<Call>> = {
    async express() {
      const app = express();
      app.use(forExpress.gatehouse(client));
      app.get('/notes', forExpress.requirePermission(PERMISSION), (req: express.Request, res: express.Response) => {
        res.json(identity((req as unknown as { auth: GatehouseAuth }).auth));
      });
      const server = await new Promise<Server>((r) => {
        const s = app.listen(0, '127.0.0.1', () => r(s));
      });
      closers.push(closeServer(server));
      return overHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    },
    async fastify() {
      const app = Fastify();
      app.decorateRequest('auth', undefined);
      app.get(
        '/notes',
        { onRequest: [forFastify.gatehouse(client), forFastify.requirePermission(PERMISSION)] },
        async (request) => identity((request as unknown as { auth: GatehouseAuth }).auth),
      );
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      return overHttp(url);
    },
    async hono() {
      const app = new Hono<{ Variables: forHono.GatehouseVariables }>();
      app.use(forHono.gatehouse(client));
      app.get('/notes', forHono.requirePermission(PERMISSION), (c) => c.json(identity(c.get('auth'))));
      const server = await new Promise<Server>((r) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s as Server));
      });
      closers.push(closeServer(server));
      return overHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    },
    async 'next.js route handler'() {
      const GET = withGatehouse(client, async (_request, { auth }) => Response.json(identity(auth)), {
        permission: PERMISSION,
      });
      return async (headers) => {
        const res = await GET(new Request('http://app.test/api/notes', { headers }), { params: Promise.resolve({}) });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
    },
  };

  for (const [name, start] of Object.entries(apps)) {
    it(`${name}: 401 without a credential, 403 without the permission, the identity with it`, async () => {
      const call = await start();
      const none = await call({});
      assert.equal(none.status, 401);
      assert.equal(none.body.code, 'AUTH_REQUIRED');
      const member = await call({ cookie: `gatehouse_session=${world.members.bob.cookie}` });
      assert.equal(member.status, 403);
      assert.equal(member.body.code, 'AUTH_FORBIDDEN');
      const admin = await call({ cookie: `gatehouse_session=${world.members.ada.cookie}` });
      assert.equal(admin.status, 200);
      assert.deepEqual(admin.body, { org: world.orgs.acme, role: 'admin' });
    });
  }

  it('next.js middleware: lets a caller through, refuses API calls, sends pages to sign in', async () => {
    const middleware = gatehouseMiddleware(client, { signInUrl: `${world.url}/auth/login` });
    const signedIn = new Request('http://app.test/notes', {
      headers: { cookie: `gatehouse_session=${world.members.bob.cookie}` },
    });
    assert.equal(await middleware(signedIn), undefined);
    const api = await middleware(new Request('http://app.test/api/notes', { headers: { accept: 'application/json' } }));
    assert.equal(api?.status, 401);
    const page = await middleware(new Request('http://app.test/notes?tab=2', { headers: { accept: 'text/html' } }));
    assert.equal(page?.status, 302);
    assert.equal(new URL(page!.headers.get('location')!).searchParams.get('returnTo'), '/notes?tab=2');
  });
});
