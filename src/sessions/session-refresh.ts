// Access tokens of a session, refreshed ahead of expiry and single-flight across instances.
// The threat is the refresh-token race: WorkOS rotates refresh tokens on use, so two processes
// refreshing one session at once make one of them present a spent token, which the provider
// treats as replay and the session dies. Here a refresh holds the session's row lock
// (SELECT … FOR UPDATE): the first caller refreshes and commits; the others queue on the lock,
// then read the row again and find a fresh token, so exactly one call reaches the provider.
// Within one process, concurrent callers also share one promise, so they do not each take a
// pooled connection only to wait on the lock.
// If the provider rotated the token but our commit fails, the session is lost (the new refresh
// token is gone); that is the safe side: the user signs in again.
//
// Provider outage (DESIGN.md §3.4): when the provider cannot be reached (a retryable failure:
// network, 5xx, rate limit), a session Gatehouse still holds valid keeps working for a bounded
// grace counted from the first failed attempt (SESSION_PROVIDER_OUTAGE_GRACE_SECONDS), stored on
// the row so every instance counts from the same moment. Retries back off (provider_retry_at),
// so an outage does not turn every request into a call to a provider that is down. What the
// provider revoked meanwhile ends when its events arrive (session.revoked, membership events);
// revocations made here, SSO enforcement and expiry apply as always. After the grace, requests
// answer the provider's 503 until a refresh succeeds.
//
// Exported API (used by session-service.ts only): createRefresh(deps), TokenRefresher.
import { sql, type Kysely } from 'kysely';
import { decodeJwt } from 'jose';
import type { AuditActor } from '../audit/chain.ts';
import { isAppError } from '../core/errors.ts';
import type { Database, SessionRow } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import type { SealedBox } from '../core/sealed-box.ts';
import type { AccessTokenResult, Session } from './session.ts';

/** The identity provider's refresh grant; the WorkOS adapter implements it with the SDK. */
export interface TokenRefresher {
  /**
   * Throws an AppError with `retryable: true` when the provider could not answer (the session
   * is kept); any other failure is terminal (refresh token invalid, membership gone): the
   * session ends.
   */
  refresh(input: { refreshToken: string; organizationId?: string }): Promise<RefreshedTokens>;
}

export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  /** WorkOS `authentication_method` (e.g. SSO, Password), when the provider reports it. */
  authenticationMethod?: string | null;
}

/** Refresh when the access token has less than this left. */
export const REFRESH_AHEAD_MS = 60_000;
/** Backoff between refresh attempts during an outage: half the outage so far, within these bounds. */
const OUTAGE_RETRY_MIN_MS = 5_000;
const OUTAGE_RETRY_MAX_MS = 5 * 60_000;
const SYSTEM: AuditActor = { type: 'system', id: null };

/**
 * The session's row, locked for the rest of `tx`: whoever holds it is the one caller that may
 * spend the refresh token (refresh and organization switch alike). The wait is bounded, so a stuck
 * holder does not pile up every request of the session behind it.
 */
export async function lockSessionRow(
  tx: Tx,
  session: Pick<Session, 'id' | 'organizationId'>,
): Promise<SessionRow | undefined> {
  await sql`SET LOCAL lock_timeout = '15s'`.execute(tx);
  return tx
    .selectFrom('sessions')
    .selectAll()
    .where('organization_id', '=', session.organizationId)
    .where('id', '=', session.id)
    .forUpdate()
    .executeTakeFirst();
}

interface RefreshDeps {
  db: Kysely<Database>;
  vault: SealedBox;
  clock: () => number;
  refresher?: TokenRefresher;
  /** The organization's sign-in policy met by this row (core/sign-in-policy.ts), in `tx`. */
  meetsPolicy(tx: Tx, row: SessionRow): Promise<boolean>;
  /** SESSION_PROVIDER_OUTAGE_GRACE_SECONDS in ms; 0 ends grace at once (the former behaviour). */
  outageGraceMs: number;
  logger?: { warn(obj: object, msg: string): void } | undefined;
  endSession(
    tx: Tx,
    row: Pick<SessionRow, 'id' | 'organization_id' | 'user_id'>,
    actor: AuditActor,
    reason: string,
  ): Promise<boolean>;
}

type TokenColumns = Pick<SessionRow, 'key_id' | 'access_token_enc' | 'refresh_token_enc' | 'access_token_expires_at'>;

function tokenExpiry(accessToken: string, now: number): Date {
  try {
    const { exp } = decodeJwt(accessToken);
    if (typeof exp === 'number') return new Date(exp * 1000);
  } catch {
    // Not a JWT (another provider): assume the WorkOS default lifetime.
  }
  return new Date(now + 5 * 60_000);
}

/**
 * Sessions no outside provider holds (the built-in email code, a direct OIDC sign-in): they carry
 * no tokens, are never refreshed or re-scoped at a provider, and end only here (revocation,
 * expiry, SSO enforcement).
 */
export function isLocallyOwned(authMethod: string): boolean {
  return authMethod === 'email_code' || authMethod === 'oidc';
}

export function createRefresh(deps: RefreshDeps) {
  const { db, vault, clock } = deps;
  const sealed = new WeakMap<Session, string | null>();
  const inflight = new Map<string, Promise<AccessTokenResult>>();

  const sealTokens = (sessionId: string, accessToken: string | null, refreshToken: string | null): TokenColumns => ({
    key_id: vault.keyId,
    access_token_enc: accessToken ? vault.seal(accessToken, `${sessionId}:access`) : null,
    refresh_token_enc: refreshToken ? vault.seal(refreshToken, `${sessionId}:refresh`) : null,
    access_token_expires_at: accessToken ? tokenExpiry(accessToken, clock()) : null,
  });

  const isFresh = (expiresAt: Date | null) => expiresAt !== null && expiresAt.getTime() - clock() > REFRESH_AHEAD_MS;

  const withinGrace = (row: SessionRow, now: number) =>
    now - (row.provider_unreachable_since?.getTime() ?? now) < deps.outageGraceMs;

  const kept = (row: SessionRow): AccessTokenResult => ({
    ok: true,
    accessToken: row.access_token_enc ? vault.open(row.access_token_enc, `${row.id}:access`) : '',
  });

  const providerUnreachable = async (tx: Tx, row: SessionRow, error: Error): Promise<AccessTokenResult> => {
    const now = clock();
    if (!withinGrace(row, now)) throw error;
    const since = row.provider_unreachable_since?.getTime() ?? now;
    const retryIn = Math.min(OUTAGE_RETRY_MAX_MS, Math.max(OUTAGE_RETRY_MIN_MS, (now - since) / 2));
    await tx
      .updateTable('sessions')
      .set({ provider_unreachable_since: new Date(since), provider_retry_at: new Date(now + retryIn) })
      .where('organization_id', '=', row.organization_id)
      .where('id', '=', row.id)
      .execute();
    // Once per session: only the first failure finds the column empty (we hold the row lock).
    if (!row.provider_unreachable_since) {
      deps.logger?.warn(
        { sessionId: row.id, graceSeconds: deps.outageGraceMs / 1000, code: (error as { code?: string }).code },
        'identity provider unreachable at refresh; session kept for the outage grace',
      );
    }
    return kept(row);
  };

  const refreshLocked = (session: Session): Promise<AccessTokenResult> =>
    inTenant(db, session.organizationId, async (tx) => {
      const row = await lockSessionRow(tx, session);
      if (!row || row.revoked_at)
        return {
          ok: false,
          reason: row?.revoked_reason === 'sso_required' ? 'SSO_REQUIRED' : 'SESSION_REVOKED',
        } as const;
      // Another request (here or on another instance) refreshed while we waited for the lock.
      if (isFresh(row.access_token_expires_at) && row.access_token_enc) {
        return { ok: true, accessToken: vault.open(row.access_token_enc, `${row.id}:access`) } as const;
      }
      // An organization that enforces SSO ends, at its next refresh, every session whose sign-in
      // did not come through that organization's own connection.
      if (!(await deps.meetsPolicy(tx, row))) {
        await deps.endSession(tx, row, SYSTEM, 'sso_required');
        return { ok: false, reason: 'SSO_REQUIRED' } as const;
      }
      // A session of the built-in email sign-in is Gatehouse's own: no provider token to refresh.
      if (isLocallyOwned(row.auth_method)) return { ok: true, accessToken: '' } as const;
      if (!deps.refresher || !row.refresh_token_enc) {
        await deps.endSession(tx, row, SYSTEM, 'refresh_unavailable');
        return { ok: false, reason: 'SESSION_EXPIRED' } as const;
      }
      // Backing off during an outage: keep the session within its grace without calling the provider.
      const now = clock();
      if (row.provider_retry_at && now < row.provider_retry_at.getTime() && withinGrace(row, now)) return kept(row);
      const refreshToken = vault.open(row.refresh_token_enc, `${row.id}:refresh`);
      let tokens: RefreshedTokens;
      try {
        tokens = await deps.refresher.refresh({ refreshToken, organizationId: row.organization_id });
      } catch (error) {
        if (isAppError(error) && error.retryable) return providerUnreachable(tx, row, error);
        await deps.endSession(tx, row, SYSTEM, 'refresh_failed');
        return { ok: false, reason: 'SESSION_REVOKED' } as const;
      }
      await tx
        .updateTable('sessions')
        .set({
          ...sealTokens(row.id, tokens.accessToken, tokens.refreshToken),
          provider_unreachable_since: null,
          provider_retry_at: null,
        })
        .where('organization_id', '=', row.organization_id)
        .where('id', '=', row.id)
        .execute();
      return { ok: true, accessToken: tokens.accessToken } as const;
    });

  return {
    sealTokens,
    /** Keeps the ciphertext of a resolved session beside it, so a fresh token costs no read. */
    remember(session: Session, row: TokenColumns) {
      sealed.set(session, row.access_token_enc);
    },
    async accessTokenFor(session: Session): Promise<AccessTokenResult> {
      const enc = sealed.get(session);
      if (enc && isFresh(session.accessTokenExpiresAt))
        return { ok: true, accessToken: vault.open(enc, `${session.id}:access`) };
      let pending = inflight.get(session.id);
      if (!pending) {
        pending = refreshLocked(session).finally(() => inflight.delete(session.id));
        inflight.set(session.id, pending);
      }
      return pending;
    },
  };
}
