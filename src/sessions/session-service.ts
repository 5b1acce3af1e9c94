// Server-side sessions (DESIGN.md §2). A sign-in creates a row and a cookie handle; every
// request resolves the handle back to the row. Expiry is both sliding (idle timeout, written at
// most once a minute so a busy session does not turn every read into a write) and absolute.
//
// Exported API (what /auth/* and the access layer call):
//   createSessionService({ db, secrets, config, refresher?, signInPolicy?, clock? }) -> SessionService
//     create(tx, input)              inside the caller's tenant transaction; audited session.created
//     resolve(cookieValue)           -> { ok: true, session } | { ok: false, reason }
//     accessTokenFor(session)        the WorkOS access token, refreshed single-flight when near expiry
//     switchOrganization(session, target)  re-scopes the provider session, ends this row, opens one
//                                    in the target (session-switch.ts)
//     revoke(sessionId, actor)       audited, published on the revocation bus
//     revokeAllForUser(userId, organizationId | undefined, actor)
//     endProviderSession(tx, providerSessionId, actor)  the provider ended its session (session.revoked)
//     list({ organizationId?, userId? })
//     cookie                         name and Set-Cookie strings for the configured PUBLIC_URL
//   TokenRefresher                   the port the identity adapter implements (WorkOS refresh grant)
import type { Kysely } from 'kysely';
import type { AuditActor } from '../audit/chain.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { newId } from '../core/ids.ts';
import type { Config } from '../config.ts';
import { meetsSignInPolicy, type SignInPolicy } from '../core/sign-in-policy.ts';
import type { Database, SessionRow } from '../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../store/tenant.ts';
import { publishRevocation } from './revocation-bus.ts';
import { createSealedBox, type SealedBox } from '../core/sealed-box.ts';
import { clearCookie, serializeCookie } from '../core/cookie.ts';
import { newSessionCredential, parseSessionCookie, secretMatches, sessionCookie } from './session-cookie.ts';
import { createRefresh, type TokenRefresher } from './session-refresh.ts';
import {
  sessionFromRow,
  type AccessTokenResult,
  type CreateSessionInput,
  type Session,
  type SessionResult,
} from './session.ts';
import { createSwitch, type SwitchResult, type SwitchTarget } from './session-switch.ts';

export type { TokenRefresher, RefreshedTokens } from './session-refresh.ts';
export type { SwitchResult, SwitchTarget } from './session-switch.ts';

export type {
  AccessTokenResult,
  CreateSessionInput,
  Session,
  SessionAuthMethod,
  SessionFailure,
  SessionResult,
} from './session.ts';

export interface SessionService {
  create(
    tx: Tx,
    input: CreateSessionInput,
  ): Promise<{ sessionId: string; cookieValue: string; setCookie: string; expiresAt: Date }>;
  resolve(cookieValue: string | undefined): Promise<SessionResult>;
  accessTokenFor(session: Session): Promise<AccessTokenResult>;
  switchOrganization(session: Session, target: SwitchTarget): Promise<SwitchResult>;
  revoke(sessionId: string, actor: AuditActor, reason?: string): Promise<boolean>;
  revokeAllForUser(
    userId: string,
    organizationId: string | undefined,
    actor: AuditActor,
    reason?: string,
  ): Promise<number>;
  /**
   * Ends, inside the caller's system transaction `tx` (the webhook inbox's), every live session
   * bound to the provider's session: audited, published on the revocation bus. Returns how many.
   */
  endProviderSession(tx: Tx, providerSessionId: string, actor: AuditActor): Promise<number>;
  list(filter: { organizationId?: string; userId?: string }): Promise<Session[]>;
  readonly cookie: { name: string; clear(): string };
}

export interface SessionServiceOptions {
  db: Kysely<Database>;
  /** GATEHOUSE_SECRET first, then previous secrets still accepted for decryption. */
  secrets: readonly string[];
  config: Pick<Config, 'PUBLIC_URL' | 'SESSION_IDLE_TIMEOUT_SECONDS' | 'SESSION_ABSOLUTE_LIFETIME_SECONDS'> &
    Partial<Pick<Config, 'SESSION_PROVIDER_OUTAGE_GRACE_SECONDS'>>;
  /** Warns once per session when the provider is unreachable at refresh. */
  logger?: { warn(obj: object, msg: string): void };
  refresher?: TokenRefresher;
  /**
   * The organization's sign-in policy, read inside the caller's transaction `tx` (at refresh it
   * holds the session's row lock; on PGlite it is the only connection). src/app.ts wires
   * sso_configs. Absent: no organization enforces SSO.
   */
  signInPolicy?: (organizationId: string, tx: Tx) => Promise<SignInPolicy>;
  clock?: () => number;
}

/** Writes of last_seen_at are throttled to one per session per minute. */
export const TOUCH_INTERVAL_MS = 60_000;

/** Whether the session's own row meets its organization's policy, inside a tenant transaction. */
async function sessionMeetsPolicy(
  policyOf: SessionServiceOptions['signInPolicy'],
  tx: Tx,
  row: Pick<SessionRow, 'organization_id' | 'sso_connection_id' | 'sso_organization_id'>,
): Promise<boolean> {
  if (!policyOf) return true;
  const policy = await policyOf(row.organization_id, tx);
  return meetsSignInPolicy(row.organization_id, policy, {
    ssoConnectionId: row.sso_connection_id,
    ssoOrganizationId: row.sso_organization_id,
  });
}

export function createSessionService(options: SessionServiceOptions): SessionService {
  const { db, config } = options;
  const clock = options.clock ?? Date.now;
  const vault: SealedBox = createSealedBox('token-vault', options.secrets);
  const idleMs = config.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
  const absoluteMs = config.SESSION_ABSOLUTE_LIFETIME_SECONDS * 1000;
  const cookie = sessionCookie(config.PUBLIC_URL, config.SESSION_ABSOLUTE_LIFETIME_SECONDS);

  const endSession = async (
    tx: Tx,
    row: Pick<SessionRow, 'id' | 'organization_id' | 'user_id'>,
    actor: AuditActor,
    reason: string,
  ) => {
    const ended = await tx
      .updateTable('sessions')
      .set({ revoked_at: new Date(clock()), revoked_reason: reason })
      .where('organization_id', '=', row.organization_id)
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (ended.numUpdatedRows === 0n) return false;
    await appendAuditEvent(tx, {
      organizationId: row.organization_id,
      type: 'session.revoked',
      actor,
      target: { type: 'session', id: row.id },
      data: { userId: row.user_id, reason },
    });
    await publishRevocation(tx, { kind: 'session', sessionId: row.id });
    return true;
  };

  const meetsPolicy = (
    tx: Tx,
    row: Pick<SessionRow, 'organization_id' | 'sso_connection_id' | 'sso_organization_id'>,
  ) => sessionMeetsPolicy(options.signInPolicy, tx, row);
  const outageGraceMs = (config.SESSION_PROVIDER_OUTAGE_GRACE_SECONDS ?? 3600) * 1000;
  const refresh = createRefresh({
    db,
    vault,
    clock,
    endSession,
    meetsPolicy,
    outageGraceMs,
    logger: options.logger,
    ...(options.refresher ? { refresher: options.refresher } : {}),
  });

  const findOrg = async (sessionId: string) =>
    asSystem(db, 'find the organization of a session by its id', (tx) =>
      tx.selectFrom('sessions').select(['organization_id']).where('id', '=', sessionId).executeTakeFirst(),
    );

  const service: SessionService = {
    cookie: { name: cookie.name, clear: () => clearCookie(cookie) },

    async create(tx, input) {
      const now = clock();
      const id = newId('ses');
      const { cookieValue, secretHash } = newSessionCredential(id);
      const expiresAt = new Date(now + absoluteMs);
      const tokens = refresh.sealTokens(id, input.accessToken ?? null, input.refreshToken ?? null);
      await tx
        .insertInto('sessions')
        .values({
          organization_id: input.organizationId,
          id,
          user_id: input.userId,
          workos_session_id: input.workosSessionId ?? null,
          auth_method: input.authMethod,
          role: input.role,
          secret_hash: secretHash,
          ...tokens,
          sso_connection_id: input.binding?.ssoConnectionId ?? null,
          sso_organization_id: input.binding?.ssoOrganizationId ?? null,
          impersonator_email: input.impersonator?.email ?? null,
          impersonator_reason: input.impersonator?.reason ?? null,
          created_at: new Date(now),
          last_seen_at: new Date(now),
          expires_at: expiresAt,
          idle_expires_at: new Date(Math.min(now + idleMs, now + absoluteMs)),
        })
        .execute();
      await appendAuditEvent(tx, {
        organizationId: input.organizationId,
        type: 'session.created',
        actor: input.actor ?? { type: 'user', id: input.userId },
        target: { type: 'session', id },
        data: {
          userId: input.userId,
          authMethod: input.authMethod,
          role: input.role,
          ...(input.binding?.ssoConnectionId
            ? { ssoConnectionId: input.binding.ssoConnectionId, ssoOrganizationId: input.binding.ssoOrganizationId }
            : {}),
          ...(input.impersonator ? { impersonator: input.impersonator.email } : {}),
        },
      });
      return { sessionId: id, cookieValue, setCookie: serializeCookie(cookie, cookieValue), expiresAt };
    },

    async resolve(cookieValue) {
      const parsed = parseSessionCookie(cookieValue);
      if (!parsed) return { ok: false, reason: 'SESSION_INVALID' };
      const row = await asSystem(db, 'resolve a session cookie', (tx) =>
        tx.selectFrom('sessions').selectAll().where('id', '=', parsed.sessionId).executeTakeFirst(),
      );
      // Same answer for "no such id" and "wrong secret": the id alone is not an oracle.
      if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { ok: false, reason: 'SESSION_INVALID' };
      if (row.revoked_at)
        return { ok: false, reason: row.revoked_reason === 'sso_required' ? 'SSO_REQUIRED' : 'SESSION_REVOKED' };
      const now = clock();
      if (now >= row.expires_at.getTime() || now >= row.idle_expires_at.getTime())
        return { ok: false, reason: 'SESSION_EXPIRED' };
      const session = sessionFromRow(row);
      refresh.remember(session, row);
      const touch = now - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS;
      const checkSso = options.signInPolicy !== undefined;
      if (!touch && !checkSso) return { ok: true, session };
      const idle = new Date(Math.min(now + idleMs, row.expires_at.getTime()));
      // Enforcing SSO takes effect at once (DESIGN.md §3.4): the enforcement publishes an
      // organization revocation, caches drop this session, and this check ends it here. Only a
      // sign-in through this organization's own connection passes (core/sign-in-policy.ts).
      const ended = await inTenant(db, row.organization_id, async (tx) => {
        if (checkSso && !(await meetsPolicy(tx, row))) {
          await endSession(tx, row, { type: 'system', id: null }, 'sso_required');
          return true;
        }
        if (touch) {
          await tx
            .updateTable('sessions')
            .set({ last_seen_at: new Date(now), idle_expires_at: idle })
            .where('organization_id', '=', row.organization_id)
            .where('id', '=', row.id)
            .where('revoked_at', 'is', null)
            .execute();
        }
        return false;
      });
      if (ended) return { ok: false, reason: 'SSO_REQUIRED' };
      if (touch) {
        session.lastSeenAt = new Date(now);
        session.idleExpiresAt = idle;
      }
      return { ok: true, session };
    },

    accessTokenFor: (session) => refresh.accessTokenFor(session),

    switchOrganization: (session, target) => switcher(session, target),

    async revoke(sessionId, actor, reason = 'revoked') {
      const found = await findOrg(sessionId);
      if (!found) return false;
      return inTenant(db, found.organization_id, async (tx) => {
        const row = await tx
          .selectFrom('sessions')
          .select(['id', 'organization_id', 'user_id'])
          .where('id', '=', sessionId)
          .executeTakeFirst();
        return row ? endSession(tx, row, actor, reason) : false;
      });
    },

    async revokeAllForUser(userId, organizationId, actor, reason = 'revoked') {
      const rows = await asSystem(db, "find a user's live sessions to revoke them", (tx) => {
        let q = tx
          .selectFrom('sessions')
          .select(['id', 'organization_id', 'user_id'])
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null);
        if (organizationId) q = q.where('organization_id', '=', organizationId);
        return q.execute();
      });
      let count = 0;
      for (const org of new Set(rows.map((r) => r.organization_id))) {
        count += await inTenant(db, org, async (tx) => {
          let n = 0;
          for (const row of rows.filter((r) => r.organization_id === org))
            if (await endSession(tx, row, actor, reason)) n++;
          return n;
        });
      }
      return count;
    },

    async endProviderSession(tx, providerSessionId, actor) {
      const rows = await tx
        .selectFrom('sessions')
        .select(['id', 'organization_id', 'user_id'])
        .where('workos_session_id', '=', providerSessionId)
        .where('revoked_at', 'is', null)
        .execute();
      let ended = 0;
      for (const row of rows) if (await endSession(tx, row, actor, 'provider_session_revoked')) ended++;
      return ended;
    },

    async list(filter) {
      if (!filter.organizationId && !filter.userId) throw new TypeError('list sessions by organization, user or both');
      const now = new Date(clock());
      const read = (tx: Tx) => {
        let q = tx
          .selectFrom('sessions')
          .selectAll()
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .where('idle_expires_at', '>', now);
        if (filter.organizationId) q = q.where('organization_id', '=', filter.organizationId);
        if (filter.userId) q = q.where('user_id', '=', filter.userId);
        return q.orderBy('id', 'desc').execute();
      };
      const rows = filter.organizationId
        ? await inTenant(db, filter.organizationId, read)
        : await asSystem(db, "list a user's sessions across organizations", read);
      return rows.map(sessionFromRow);
    },
  };
  const switcher = createSwitch({
    db,
    vault,
    clock,
    endSession,
    create: service.create,
    ...(options.refresher ? { refresher: options.refresher } : {}),
    ...(options.signInPolicy ? { signInPolicy: options.signInPolicy } : {}),
  });
  return service;
}
