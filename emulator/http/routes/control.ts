// The control surface under /_emulator/: what a test or a demo needs beyond the WorkOS API —
// reset, seed, the outbox, fault hooks, the clock, key rotation, and shortcuts that stand in
// for an IT admin or an identity provider (create a connection or directory, issue a code).
import { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorContext } from '../../services/context.ts';
import type { FaultHooks } from '../faults.ts';
import { readBody, query } from '../request.ts';
import { parseInput } from '../../services/input.ts';
import { notFound } from '../../services/errors.ts';
import { ensureDefaultRoles } from '../../services/roles.ts';
import { createConnection, setConnectionState } from '../../services/connections.ts';
import { createDirectory } from '../../services/directories.ts';
import { createM2MApplication } from '../../services/m2m.ts';
import { completeAuthorization, parseAuthorizeRequest } from '../../services/authorize.ts';
import { requireUser } from '../../services/users.ts';
import { loadSeed, parseSeedText } from '../../seed/load-seed.ts';
import { setCorsOrigins } from '../../services/cors-origins.ts';
import { defineFeatureFlag } from '../../services/feature-flags.ts';
import { listResourceTypes, setResourceTypes } from '../../services/authorization-tree.ts';

const FaultInput = z.object({
  method: z.string().min(1).default('*'),
  path: z.string().startsWith('/'),
  count: z.number().int().min(1).default(1),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  latency_ms: z.number().int().min(0).max(60_000).optional(),
});

const ClockInput = z.object({ offset_ms: z.number().optional(), advance_ms: z.number().optional() });

const CodeInput = z.object({
  user_id: z.string().min(1),
  organization_id: z.string().min(1).nullish(),
  redirect_uri: z.url(),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  impersonator: z.object({ email: z.email(), reason: z.string().nullable().default(null) }).optional(),
  /** A finished SSO sign-in through this connection: method SSO, into the connection's organization. */
  connection_id: z.string().min(1).optional(),
});

export function controlRoutes(ctx: EmulatorContext, faults: FaultHooks): Hono {
  const app = new Hono();
  const { world } = ctx;
  const base = '/_emulator';

  app.post(`${base}/reset`, (c) => {
    world.reset();
    faults.clear();
    ensureDefaultRoles(ctx);
    return c.json({ ok: true });
  });
  app.post(`${base}/seed`, async (c) => {
    const type = c.req.header('content-type') ?? '';
    const doc = type.includes('yaml') ? parseSeedText(await c.req.text()) : await readBody(c);
    return c.json(loadSeed(ctx, doc), 201);
  });
  app.get(`${base}/state`, (c) =>
    c.json({
      users: world.users.size,
      organizations: world.organizations.size,
      memberships: world.memberships.size,
      connections: world.connections.size,
      directories: world.directories.size,
      events: world.events.length,
      outbox: world.outbox.length,
    }),
  );

  app.get(`${base}/outbox`, (c) => {
    const to = query(c, 'to')?.toLowerCase();
    const kind = query(c, 'kind');
    return c.json({ data: world.outbox.filter((m) => (!to || m.to === to) && (!kind || m.kind === kind)) });
  });
  app.delete(`${base}/outbox`, (c) => {
    world.outbox.length = 0;
    return c.body(null, 204);
  });

  app.post(`${base}/faults`, async (c) => {
    const input = parseInput(FaultInput, await readBody(c));
    const { body, headers, status, latency_ms, ...rest } = input;
    return c.json(
      faults.add({
        ...rest,
        ...(body !== undefined ? { body } : {}),
        ...(headers ? { headers } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(latency_ms !== undefined ? { latency_ms } : {}),
      }),
      201,
    );
  });
  app.get(`${base}/faults`, (c) => c.json({ data: faults.list() }));
  app.delete(`${base}/faults`, (c) => {
    faults.clear();
    return c.body(null, 204);
  });

  // Environment switches an AuthKit dashboard holds: require MFA; let the app pick the organization.
  app.get(`${base}/settings`, (c) => c.json({ ...world.settings }));
  app.post(`${base}/settings`, async (c) => {
    const input = parseInput(
      z.object({ mfa_required: z.boolean().optional(), hosted_organization_selection: z.boolean().optional() }),
      await readBody(c),
    );
    if (input.mfa_required !== undefined) world.settings.mfa_required = input.mfa_required;
    if (input.hosted_organization_selection !== undefined)
      world.settings.hosted_organization_selection = input.hosted_organization_selection;
    return c.json({ ...world.settings });
  });

  // Browser origins allowed to call the API; the body replaces the whole list.
  app.get(`${base}/resource_types`, (c) => c.json(listResourceTypes(ctx)));
  app.put(`${base}/resource_types`, async (c) => c.json(setResourceTypes(ctx, await readBody(c))));
  app.get(`${base}/cors_origins`, (c) => c.json({ data: [...world.corsOrigins.values()] }));
  app.put(`${base}/cors_origins`, async (c) => {
    const { origins } = parseInput(z.object({ origins: z.array(z.string().min(1)) }), await readBody(c));
    return c.json({ data: setCorsOrigins(world, origins) });
  });

  app.get(`${base}/clock`, (c) => c.json({ now: world.nowIso(), offset_ms: world.clock.offsetMs() }));
  app.post(`${base}/clock`, async (c) => {
    const input = parseInput(ClockInput, await readBody(c));
    if (input.offset_ms !== undefined) world.clock.setOffset(input.offset_ms);
    if (input.advance_ms !== undefined) world.clock.advance(input.advance_ms);
    return c.json({ now: world.nowIso(), offset_ms: world.clock.offsetMs() });
  });

  app.post(`${base}/keys/rotate`, async (c) =>
    c.json({ kid: (await ctx.keys.rotate()).kid, keys: ctx.keys.all().map((k) => k.kid) }, 201),
  );
  app.delete(`${base}/keys/:kid`, (c) => {
    if (!ctx.keys.drop(c.req.param('kid'))) throw notFound('SigningKey', c.req.param('kid'));
    return c.body(null, 204);
  });

  app.post(`${base}/connections`, async (c) => c.json(createConnection(ctx, await readBody(c)), 201));
  app.post(`${base}/connections/:id/state`, async (c) => {
    const { state } = parseInput(z.object({ state: z.enum(['active', 'inactive', 'draft']) }), await readBody(c));
    return c.json(setConnectionState(ctx, c.req.param('id'), state));
  });
  app.post(`${base}/directories`, async (c) => c.json(createDirectory(ctx, await readBody(c)), 201));
  // Feature flags are defined in the WorkOS dashboard; here, by slug (defining again updates).
  app.post(`${base}/feature_flags`, async (c) => c.json(defineFeatureFlag(ctx, await readBody(c)), 201));
  app.post(`${base}/m2m_applications`, async (c) => {
    const { application, client_secret } = createM2MApplication(ctx, await readBody(c));
    const { client_secret_hash: _hash, ...visible } = application;
    return c.json({ ...visible, client_secret }, 201);
  });

  // Stands in for a finished hosted sign-in (or an impersonation started from a dashboard):
  // an AuthKit authorization code for a user, redeemable at /user_management/authenticate.
  app.post(`${base}/authorization_codes`, async (c) => {
    const input = parseInput(CodeInput, await readBody(c));
    requireUser(ctx, input.user_id);
    const req = parseAuthorizeRequest(ctx, {
      client_id: ctx.config.clientId,
      redirect_uri: input.redirect_uri,
      provider: 'authkit',
      ...(input.state ? { state: input.state } : {}),
      ...(input.code_challenge ? { code_challenge: input.code_challenge, code_challenge_method: 'S256' } : {}),
    });
    const connection = input.connection_id ? ctx.world.connections.get(input.connection_id) : undefined;
    if (input.connection_id && !connection) throw notFound('Connection', input.connection_id);
    const method = connection
      ? (['sso', 'SSO'] as const)
      : input.impersonator
        ? (['impersonation', 'Impersonation'] as const)
        : (['password', 'Password'] as const);
    const redirect = completeAuthorization(ctx, req, {
      user_id: input.user_id,
      organization_id: connection?.organization_id ?? input.organization_id ?? null,
      auth_method: method[0],
      authentication_method: method[1],
      ...(input.impersonator ? { impersonator: input.impersonator } : {}),
    });
    return c.json({ code: new URL(redirect).searchParams.get('code'), redirect_url: redirect }, 201);
  });
  return app;
}
