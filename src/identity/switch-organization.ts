// Switching a signed-in user to another of their organizations without a new sign-in. This file
// decides whether the person may enter (membership from the provider, mirrored; an inactive one
// refused) and records it; the token exchange, the end of the old row and the new row belong to
// the session service (sessions/session-switch.ts), which also checks the target's sign-in
// policy against the connection the sign-in came through.
import type { Kysely } from 'kysely';
import type { ActingActor } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { organizationIsLive } from '../mirror/context.ts';
import type { Session, SessionService } from '../sessions/session-service.ts';
import { readSsoConfig } from '../sso/sso-config.ts';
import {
  mirrorSignInOrganization,
  organizationExists,
  readMembership,
  stampMembershipSignIn,
  upsertMembership,
} from '../mirror/sign-in-copy.ts';
import type { IdentityProvider } from './provider.ts';
import type { CallbackResult } from './sign-in.ts';

export interface SwitchDeps {
  db: Kysely<Database>;
  provider: Pick<IdentityProvider, 'listMemberships' | 'getOrganization'>;
  sessions: Pick<SessionService, 'switchOrganization'>;
  clock?: () => number;
}

export async function switchOrganization(
  deps: SwitchDeps,
  session: Session,
  organizationId: string,
  returnTo: string,
): Promise<CallbackResult> {
  const { db } = deps;
  const now = new Date((deps.clock ?? Date.now)());
  const actor: ActingActor = {
    type: 'user',
    id: session.userId,
    ...(session.impersonator ? { impersonator: session.impersonator } : {}),
  };
  if (organizationId === session.organizationId)
    throw new AppError('SESSION_ALREADY_IN_ORGANIZATION', 'You are already signed in to that organization');

  // The provider's word on the membership (webhooks may not have mirrored it yet), mirrored below.
  const fromProvider =
    (
      await deps.provider.listMemberships({ userId: session.userId, organizationId }).catch((error: unknown) => {
        if (
          error instanceof AppError &&
          (error.code === 'PROVIDER_NOT_FOUND' || error.code === 'PROVIDER_INVALID_REQUEST')
        )
          return [];
        throw error;
      })
    ).find((m) => m.organizationId === organizationId) ?? null;
  const known = await organizationExists(db, organizationId);
  if (!known && fromProvider) await mirrorSignInOrganization(db, await deps.provider.getOrganization(organizationId));

  const target = await inTenant(db, organizationId, async (tx) => {
    const org = await organizationIsLive(tx, organizationId);
    const membership = !org
      ? null
      : fromProvider
        ? await upsertMembership(tx, fromProvider, 'manual')
        : await readMembership(tx, organizationId, session.userId);
    // Not a member and no such organization answer alike: the id reveals nothing.
    if (!membership) return null;
    return { membership, refused: membership.status !== 'active' };
  });
  if (!target) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
  if (target.refused) return { responseType: 'MEMBERSHIP_DEACTIVATED', organizationId, reason: 'membership_inactive' };

  const switched = await deps.sessions.switchOrganization(session, {
    organizationId,
    role: target.membership.roleSlug,
    async onSwitched(tx, created) {
      // last_sso_sign_in_at only for SSO through this organization's own connection: the lockout
      // preview must not call safe a member whose SSO was another organization's.
      await stampMembershipSignIn(tx, organizationId, target.membership.id, now, created.viaOwnConnection);
      await appendAuditEvent(tx, {
        organizationId,
        type: 'auth.organization_switched',
        actor,
        target: { type: 'session', id: created.sessionId },
        data: {
          direction: 'in',
          fromOrganizationId: session.organizationId,
          method: session.authMethod,
          viaOwnConnection: created.viaOwnConnection,
        },
      });
    },
  });
  if (!switched.ok) {
    const connectionId = await inTenant(db, organizationId, async (tx) => {
      const sso = await readSsoConfig(tx, organizationId);
      await appendAuditEvent(tx, {
        organizationId,
        type: 'auth.sso_required',
        actor,
        target: { type: 'user', id: session.userId },
        data: {
          method: session.authMethod,
          via: 'switch_organization',
          connectionId: sso.connectionId,
          signedInThrough: session.binding.ssoConnectionId,
        },
      });
      return sso.connectionId;
    });
    return { responseType: 'SSO_REQUIRED', organizationId, connectionId };
  }
  return {
    responseType: 'LOGIN_SUCCESSFUL',
    organizationId,
    userId: session.userId,
    sessionId: switched.sessionId,
    setCookie: switched.setCookie,
    returnTo,
  };
}
