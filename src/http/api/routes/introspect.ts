// Apps outside Gatehouse ask it who their callers are (the client package, packages/client):
//   POST /api/v1/introspect            an end user's cookie value or bearer token -> the same
//                                      AuthContext the server's own routes act on, or a coded refusal
//   GET  /api/v1/revocations/stream    server-sent events relaying the revocation bus, so an app's
//                                      cache drops a revoked session, key or membership within a second
// The app authenticates with an API key holding `sessions:introspect` — an ordinary key, so it is
// created, listed, revoked and audited like any other, and the permission ceiling applies to it.
// Scope (tenant isolation, DESIGN.md §3.1): a key of an ordinary organization introspects only its own
// organization's credentials (another tenant's answer is the same refusal as an unknown credential);
// a key of the super-admin organization (GATEHOUSE_SUPERADMIN_ORG) serves a multi-tenant app and
// introspects any organization's. The decision itself is the access decision point's, unchanged.
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { decideAccess, organizationRefusal } from '../../../access/access-decision.ts';
import type { AuthContext, RevocationEvent } from '../../../core/auth-context.ts';
import { AppError } from '../../../core/errors.ts';
import type { RevocationBus } from '../../../sessions/revocation-bus.ts';
import type { Api } from '../define-api.ts';

export interface IntrospectionDeps {
  /** The access verifier's `verifyCredential`: one credential, no request around it. */
  verifyCredential(
    credential: { cookie?: string; bearer?: string },
    meta?: { sourceIp?: string },
  ): Promise<AuthContext>;
  superAdminOrganizationId?: string | undefined;
  revocations?: Pick<RevocationBus, 'subscribe'> | undefined;
  /** Seconds between keep-alive comments on the stream (default 15). */
  heartbeatSeconds?: number;
}

const Body = z
  .strictObject({
    cookie: z.string().min(1).max(4096).optional().describe("The value of the end user's gatehouse_session cookie"),
    token: z
      .string()
      .min(1)
      .max(8192)
      .optional()
      .describe('A bearer token: a WorkOS access token, M2M token or API key'),
  })
  .refine((b) => (b.cookie === undefined) !== (b.token === undefined), {
    message: 'give exactly one of cookie or token',
  });

const Context = z.object({
  principal: z.union([
    z.object({ type: z.literal('user'), userId: z.string(), email: z.string().optional() }),
    z.object({ type: z.literal('api_key'), apiKeyId: z.string(), ownerUserId: z.string().nullable() }),
    z.object({ type: z.literal('m2m'), clientId: z.string() }),
  ]),
  organizationId: z.string(),
  role: z.string(),
  permissions: z.array(z.string()),
  authMethod: z.enum(['session', 'access_token', 'api_key', 'm2m']),
  sessionId: z.string().optional(),
  apiKeyId: z.string().optional(),
  isSuperAdmin: z.boolean(),
  impersonator: z.object({ email: z.string(), reason: z.string().nullable().optional() }).optional(),
  ssoConnectionId: z.string().optional(),
});

const Answer = z.discriminatedUnion('active', [
  z.object({ active: z.literal(true), auth: Context }),
  z.object({ active: z.literal(false), code: z.string(), status: z.number().int(), message: z.string() }),
]);

function reachesAll(app: AuthContext, deps: IntrospectionDeps): boolean {
  return deps.superAdminOrganizationId !== undefined && app.organizationId === deps.superAdminOrganizationId;
}

/** Whether an org-scoped app may hear this event: ids of its own tenant, or ids that name no tenant. */
function visibleTo(event: RevocationEvent, organizationId: string | null): boolean {
  if (organizationId === null) return true;
  const eventOrg = 'organizationId' in event ? event.organizationId : undefined;
  return eventOrg === undefined || eventOrg === organizationId;
}

export function introspectionRoutes(api: Api, deps: IntrospectionDeps): void {
  api.add({
    method: 'post',
    path: '/introspect',
    summary: "Resolve an end user's credential to the AuthContext Gatehouse acts on",
    tag: 'Apps',
    permission: 'sessions:introspect',
    body: Body,
    responses: {
      200: { description: 'active with the AuthContext, or inactive with the refusal code', schema: Answer },
    },
    handler: async ({ auth: app, body, c }) => {
      const credential = body.cookie !== undefined ? { cookie: body.cookie } : { bearer: body.token! };
      // Failed API key guesses are limited per app (threat: one app's bad input, or a scanner behind
      // it, locking every other app out of verifying keys through a shared bucket).
      const source = { sourceIp: `app:${app.apiKeyId ?? app.organizationId}` };
      const decision = await decideAccess({
        credential: () => deps.verifyCredential(credential, source),
        method: 'GET',
      });
      c.header('cache-control', 'no-store');
      if (!decision.allowed) {
        const e = decision.error;
        return { status: 200, body: { active: false, code: e.code, status: e.status, message: e.message } };
      }
      // Another tenant's credential is answered like an unknown one: the app learns nothing of it.
      if (!reachesAll(app, deps) && organizationRefusal(decision.auth, app.organizationId)) {
        return {
          status: 200,
          body: { active: false, code: 'AUTH_INVALID_CREDENTIAL', status: 401, message: 'The credential is not valid' },
        };
      }
      return { status: 200, body: { active: true, auth: decision.auth } };
    },
  });

  api.add({
    method: 'get',
    path: '/revocations/stream',
    summary: 'Server-sent events: every revocation (session, user, membership, API key, organization)',
    tag: 'Apps',
    permission: 'sessions:introspect',
    responses: {
      200: {
        description: '`revocation` events (JSON RevocationEvent) and `reset` (drop every cache)',
        schema: z.string(),
        contentType: 'text/event-stream',
      },
    },
    handler: async ({ auth: app, c }) => {
      const bus = deps.revocations;
      if (!bus) throw new AppError('PROVIDER_UNAVAILABLE', 'The revocation stream is not configured on this server');
      const scope = reachesAll(app, deps) ? null : app.organizationId;
      return streamSSE(c, async (stream) => {
        const queue: { event: string; data: string }[] = [];
        let wake: (() => void) | null = null;
        const push = (event: string, data: string) => {
          queue.push({ event, data });
          wake?.();
        };
        const unsubscribe = bus.subscribe({
          onEvent: (event) => visibleTo(event, scope) && push('revocation', JSON.stringify(event)),
          onReset: () => push('reset', '{}'),
        });
        let open = true;
        stream.onAbort(() => {
          open = false;
          wake?.();
        });
        const heartbeat = setInterval(() => push('ping', '{}'), (deps.heartbeatSeconds ?? 15) * 1000);
        heartbeat.unref();
        try {
          // `ready` tells the client the subscription is in place: anything after it reaches it.
          await stream.writeSSE({ event: 'ready', data: '{}' });
          while (open) {
            const next = queue.shift();
            if (next) await stream.writeSSE(next);
            else await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        } finally {
          clearInterval(heartbeat);
          unsubscribe();
        }
      });
    },
  });
}
