// Switching a signed-in user to another of their organizations without a new sign-in: WorkOS
// re-scopes the session when the refresh grant names the organization. The old session ends and
// a new one (new cookie, new id) starts in the target organization; both chains record it.
//
// The refresh token rotates on use, so this must not race the sessions service's own refresh of
// the same row: we take the same row lock (SELECT … FOR UPDATE) it takes, refresh under it, and
// end the row in that transaction, so nobody can present the spent token afterwards.
import type { Kysely } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { publishRevocation } from '../sessions/revocation-bus.ts';
import type { Session, SessionAuthMethod, SessionService } from '../sessions/session-service.ts';
import type { TokenVault } from '../sessions/token-vault.ts';
import { readSsoConfig } from '../sso/sso-config.ts';
import { ensureOrganization, organizationExists, readMembership, stampMembershipSignIn, upsertMembership } from './mirror.ts';
import type { IdentityProvider } from './provider.ts';
import type { CallbackResult } from './sign-in.ts';

export interface SwitchDeps {
  db: Kysely<Database>;
  provider: Pick<IdentityProvider, 'refresh' | 'listMemberships' | 'getOrganization'>;
  sessions: Pick<SessionService, 'create'>;
  vault: TokenVault;
  clock?: () => number;
}

export async function switchOrganization(deps: SwitchDeps, session: Session, organizationId: string, returnTo: string): Promise<CallbackResult> {
  const { db } = deps;
  const now = new Date((deps.clock ?? Date.now)());
  const actor = { type: 'user' as const, id: session.userId };
  if (organizationId === session.organizationId) throw new AppError('CONFLICT', 'You are already signed in to that organization');

  // The provider's word on the membership (webhooks may not have mirrored it yet), mirrored below.
  const fromProvider = (await deps.provider.listMemberships({ userId: session.userId, organizationId }).catch((error: unknown) => {
    if (error instanceof AppError && (error.code === 'PROVIDER_NOT_FOUND' || error.code === 'PROVIDER_INVALID_REQUEST')) return [];
    throw error;
  })).find((m) => m.organizationId === organizationId) ?? null;
  const known = await organizationExists(db, organizationId);
  if (!known && fromProvider) await ensureOrganization(db, await deps.provider.getOrganization(organizationId));

  const target = await inTenant(db, organizationId, async (tx) => {
    const org = await tx.selectFrom('organizations').select('id').where('id', '=', organizationId).where('deleted_at', 'is', null).executeTakeFirst();
    const membership = !org ? null : fromProvider ? await upsertMembership(tx, fromProvider, 'manual') : await readMembership(tx, organizationId, session.userId);
    // Not a member and no such organization answer alike: the id reveals nothing.
    if (!membership) return null;
    if (membership.status !== 'active') return { membership, refused: 'inactive' as const };
    const sso = await readSsoConfig(tx, organizationId);
    if (sso.enforced && session.authMethod !== 'sso') {
      await appendAuditEvent(tx, {
        organizationId, type: 'auth.sso_required', actor, target: { type: 'user', id: session.userId },
        data: { method: session.authMethod, via: 'switch_organization', connectionId: sso.connectionId },
      });
      return { membership, refused: 'sso' as const, connectionId: sso.connectionId };
    }
    return { membership, refused: null };
  });
  if (!target) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
  if (target.refused === 'inactive') return { responseType: 'MEMBERSHIP_DEACTIVATED', organizationId, reason: 'membership_inactive' };
  if (target.refused === 'sso') return { responseType: 'SSO_REQUIRED', organizationId, connectionId: target.connectionId ?? null };

  const tokens = await inTenant(db, session.organizationId, async (tx) => {
    const row = await tx.selectFrom('sessions').selectAll().where('organization_id', '=', session.organizationId).where('id', '=', session.id).forUpdate().executeTakeFirst();
    if (!row || row.revoked_at) throw new AppError('SESSION_REVOKED', 'The session was ended; sign in again');
    if (!row.refresh_token_enc) throw new AppError('SESSION_EXPIRED', 'This session cannot switch organizations; sign in again');
    const refreshToken = deps.vault.decrypt(row.refresh_token_enc, `${row.id}:refresh`);
    const refreshed = await deps.provider.refresh({ refreshToken, organizationId });
    await tx.updateTable('sessions').set({ revoked_at: now, revoked_reason: 'organization_switched' })
      .where('organization_id', '=', row.organization_id).where('id', '=', row.id).execute();
    await appendAuditEvent(tx, { organizationId: row.organization_id, type: 'session.revoked', actor, target: { type: 'session', id: row.id }, data: { userId: row.user_id, reason: 'organization_switched' } });
    await appendAuditEvent(tx, { organizationId: row.organization_id, type: 'auth.organization_switched', actor, target: { type: 'organization', id: organizationId }, data: { direction: 'out', toOrganizationId: organizationId } });
    await publishRevocation(tx, { kind: 'session', sessionId: row.id });
    return refreshed;
  });

  return inTenant(db, organizationId, async (tx) => {
    const created = await deps.sessions.create(tx, {
      organizationId, userId: session.userId, authMethod: session.authMethod as SessionAuthMethod, role: target.membership.roleSlug,
      workosSessionId: tokens.providerSessionId ?? session.workosSessionId, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
    });
    await stampMembershipSignIn(tx, organizationId, target.membership.id, now, session.authMethod === 'sso');
    await appendAuditEvent(tx, {
      organizationId, type: 'auth.organization_switched', actor, target: { type: 'session', id: created.sessionId },
      data: { direction: 'in', fromOrganizationId: session.organizationId, method: session.authMethod },
    });
    return { responseType: 'LOGIN_SUCCESSFUL', organizationId, userId: session.userId, sessionId: created.sessionId, setCookie: created.setCookie, returnTo };
  });
}
