// Switching a signed-in person to another of their organizations without a new sign-in: WorkOS
// re-scopes its session when the refresh grant names the organization. This row ends and a new
// one (new cookie, new id) starts in the target organization.
//
// Threats: (1) the refresh-token race — WorkOS rotates refresh tokens on use, so the switch takes
// the same row lock (SELECT … FOR UPDATE) as the refresh single-flight, refreshes under it and
// ends the row in that transaction; nobody can present the spent token afterwards. (2) SSO at
// one organization carried into another that enforces SSO — the target's policy is checked
// against the sign-in's recorded binding before the provider is asked and again in the
// transaction that creates the new row (enforcement may have begun in between); the binding and
// the impersonator travel to the new row unchanged. The tokens are opened with the service's own
// vault (GATEHOUSE_SECRET and GATEHOUSE_PREVIOUS_SECRETS), so a rotated secret does not break it.
//
// Exported API (used by session-service.ts only): createSwitch(deps) -> (session, target) => SwitchResult
import type { Kysely } from 'kysely';
import { decodeJwt } from 'jose';
import type { ActingActor } from '../audit/actor.ts';
import type { AuditActor } from '../audit/chain.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { AppError } from '../core/errors.ts';
import { meetsSignInPolicy, viaOwnConnection, type SignInPolicy } from '../core/sign-in-policy.ts';
import type { Database, SessionRow } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { isLocallyOwned, lockSessionRow, type TokenRefresher } from './session-refresh.ts';
import type { CreateSessionInput, Session, SessionAuthMethod } from './session.ts';
import type { SealedBox } from '../core/sealed-box.ts';

export interface SwitchTarget {
  organizationId: string;
  /** The person's role in the target organization (from the mirror or the provider). */
  role: string;
  /** Runs in the transaction that creates the new row: stamps and audit of the caller. */
  onSwitched?(tx: Tx, created: { sessionId: string; viaOwnConnection: boolean }): Promise<void>;
}

export type SwitchResult =
  | { ok: true; sessionId: string; cookieValue: string; setCookie: string; expiresAt: Date; viaOwnConnection: boolean }
  | { ok: false; reason: 'SSO_REQUIRED' };

interface SwitchDeps {
  db: Kysely<Database>;
  vault: SealedBox;
  clock: () => number;
  refresher?: TokenRefresher;
  signInPolicy?: (organizationId: string, tx: Tx) => Promise<SignInPolicy>;
  endSession(
    tx: Tx,
    row: Pick<SessionRow, 'id' | 'organization_id' | 'user_id'>,
    actor: AuditActor,
    reason: string,
  ): Promise<boolean>;
  create(tx: Tx, input: CreateSessionInput): Promise<CreatedSession>;
}

type CreatedSession = { sessionId: string; cookieValue: string; setCookie: string; expiresAt: Date };
const OPEN: SignInPolicy = { enabled: false, enforced: false, connectionId: null };

function providerSessionIdOf(accessToken: string): string | null {
  try {
    const sid = decodeJwt(accessToken).sid;
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}

export function createSwitch(deps: SwitchDeps) {
  const { db, vault } = deps;
  const policyIn = (tx: Tx, organizationId: string) => deps.signInPolicy?.(organizationId, tx) ?? Promise.resolve(OPEN);

  return async (session: Session, target: SwitchTarget): Promise<SwitchResult> => {
    const impersonation = session.impersonator ? { impersonator: session.impersonator } : {};
    const actor: ActingActor = { type: 'user', id: session.userId, ...impersonation };
    const { organizationId } = target;
    if (organizationId === session.organizationId) {
      throw new AppError('SESSION_ALREADY_IN_ORGANIZATION', 'You are already signed in to that organization');
    }
    const before = await inTenant(db, organizationId, (tx) => policyIn(tx, organizationId));
    if (!meetsSignInPolicy(organizationId, before, session.binding)) return { ok: false, reason: 'SSO_REQUIRED' };
    const cannot = () => new AppError('SESSION_EXPIRED', 'This session cannot switch organizations; sign in again');
    // A locally owned session (the built-in email code) switches here alone: no provider call.
    const local = isLocallyOwned(session.authMethod);
    if (!deps.refresher && !local) throw cannot();
    const refresher = deps.refresher;

    const tokens = await inTenant(db, session.organizationId, async (tx) => {
      const row = await lockSessionRow(tx, session);
      if (!row || row.revoked_at) throw new AppError('SESSION_REVOKED', 'The session was ended; sign in again');
      let refreshed: { accessToken: string; refreshToken: string } | null = null;
      if (!local) {
        if (!row.refresh_token_enc || !refresher) throw cannot();
        const refreshToken = vault.open(row.refresh_token_enc, `${row.id}:refresh`);
        refreshed = await refresher.refresh({ refreshToken, organizationId });
      }
      await deps.endSession(tx, row, actor, 'organization_switched');
      await appendAuditEvent(tx, {
        organizationId: row.organization_id,
        type: 'auth.organization_switched',
        actor,
        target: { type: 'organization', id: organizationId },
        data: { direction: 'out', toOrganizationId: organizationId },
      });
      return refreshed;
    });

    return inTenant(db, organizationId, async (tx): Promise<SwitchResult> => {
      const policy = await policyIn(tx, organizationId);
      if (!meetsSignInPolicy(organizationId, policy, session.binding)) return { ok: false, reason: 'SSO_REQUIRED' };
      const created = await deps.create(tx, {
        organizationId,
        userId: session.userId,
        authMethod: session.authMethod as SessionAuthMethod,
        role: target.role,
        workosSessionId: (tokens ? providerSessionIdOf(tokens.accessToken) : null) ?? session.workosSessionId,
        accessToken: tokens?.accessToken ?? null,
        refreshToken: tokens?.refreshToken ?? null,
        binding: session.binding,
        impersonator: session.impersonator,
      });
      const via = viaOwnConnection(organizationId, policy, session.binding);
      await target.onSwitched?.(tx, { sessionId: created.sessionId, viaOwnConnection: via });
      return { ok: true, ...created, viaOwnConnection: via };
    });
  };
}
