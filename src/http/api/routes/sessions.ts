// Sessions: list the organization's sessions (optionally one user's), revoke one, revoke all of a
// user's. Revocation is immediate on every instance (the revocation bus).
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import type { Session, SessionService } from '../../../sessions/session-service.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { idOf, orgParams } from '../common.ts';

const sessionSchema = z.object({
  id: z.string(),
  userId: z.string(),
  authMethod: z.string(),
  role: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  idleExpiresAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
});

function view(s: Session): z.output<typeof sessionSchema> {
  return {
    id: s.id,
    userId: s.userId,
    authMethod: s.authMethod,
    role: s.role,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    idleExpiresAt: s.idleExpiresAt.toISOString(),
    revokedAt: s.revokedAt?.toISOString() ?? null,
    revokedReason: s.revokedReason,
  };
}

export function sessionRoutes(api: Api, deps: { store: Store; sessions: SessionService }): void {
  const { store, sessions } = deps;
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/sessions',
    summary: "List the organization's active sessions, or one user's",
    tag: 'Sessions',
    permission: 'sessions:manage',
    params: orgParams,
    query: z.strictObject({
      userId: idOf('user').optional(),
      includeEnded: z.enum(['true', 'false']).default('false'),
    }),
    responses: { 200: { description: 'Sessions', schema: z.object({ data: z.array(sessionSchema) }) } },
    handler: async ({ params, query }) => {
      const now = Date.now();
      const all = await sessions.list({
        organizationId: params.orgId,
        ...(query.userId ? { userId: query.userId } : {}),
      });
      const shown =
        query.includeEnded === 'true'
          ? all
          : all.filter((s) => !s.revokedAt && s.expiresAt.getTime() > now && s.idleExpiresAt.getTime() > now);
      return { status: 200, body: { data: shown.map(view) } };
    },
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/sessions/{sessionId}',
    summary: 'Revoke one session, at once on every instance',
    tag: 'Sessions',
    permission: 'sessions:manage',
    params: z.strictObject({ orgId: idOf('org'), sessionId: idOf('ses') }),
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ params, auth }) => {
      // The service finds a session by id alone; confirm it is this organization's first.
      const mine = await inTenant(store.db, params.orgId, (tx) =>
        tx
          .selectFrom('sessions')
          .select('id')
          .where('organization_id', '=', params.orgId)
          .where('id', '=', params.sessionId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst(),
      );
      if (!mine || !(await sessions.revoke(params.sessionId, actorOf(auth), 'revoked_by_admin')))
        throw new AppError('RESOURCE_NOT_FOUND', 'No active session with that id in this organization');
      return { status: 204, body: null };
    },
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/users/{userId}/sessions',
    summary: 'Revoke every session of a user in this organization',
    tag: 'Sessions',
    permission: 'sessions:manage',
    params: z.strictObject({ orgId: idOf('org'), userId: idOf('user') }),
    responses: { 200: { description: 'How many sessions ended', schema: z.object({ revoked: z.number().int() }) } },
    handler: async ({ params, auth }) => ({
      status: 200,
      body: {
        revoked: await sessions.revokeAllForUser(params.userId, params.orgId, actorOf(auth), 'revoked_by_admin'),
      },
    }),
  });
}
