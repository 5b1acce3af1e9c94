// SSO settings as an organization's admin changes them, shared by the admin API and pages:
// enabling checks the provider type the admin named, enforcing refuses to lock out members who
// never signed in through SSO unless the admin acknowledges it (the seeds' warning), and admin
// portal links only return to our own origin.
import { sameOriginUrl } from '../core/redirect-target.ts';
import type { Kysely } from 'kysely';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import type { OrganizationAdmin, PortalIntent } from '../identity/organization-admin.ts';
import type { IdentityProvider } from '../identity/provider.ts';
import type { SsoConfig, SsoService } from '../sso/sso-config.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { membersWithoutSsoSignIn } from './members.ts';

/** WorkOS portal links live five minutes. */
export const PORTAL_LINK_TTL_MS = 5 * 60 * 1000;

export interface SsoSettingsDeps {
  db: Kysely<Database>;
  sso: SsoService;
  provider: Pick<IdentityProvider, 'getConnection'>;
}

export async function enableSsoWithProvider(
  deps: SsoSettingsDeps,
  auth: AuthContext,
  orgId: string,
  input: { connectionId: string; provider: string },
): Promise<SsoConfig> {
  const connection = await deps.provider.getConnection(input.connectionId).catch(() => null);
  if (connection && connection.organizationId === orgId && connection.type !== input.provider) {
    throw new AppError(
      'SSO_CONNECTION_INVALID',
      `Connection ${input.connectionId} is a ${connection.type} connection, not ${input.provider}`,
    );
  }
  return deps.sso.enableSso(actorOf(auth), orgId, { connectionId: input.connectionId });
}

export async function setSsoEnforcement(
  deps: SsoSettingsDeps,
  auth: AuthContext,
  orgId: string,
  input: { enforced: boolean; acknowledgeLockout?: boolean | undefined },
): Promise<SsoConfig> {
  if (input.enforced) {
    const current = await deps.sso.getSsoConfig(orgId);
    if (!current.enabled) throw new AppError('SSO_NOT_ENABLED', 'Cannot enforce SSO when SSO is not enabled');
    if (!input.acknowledgeLockout) {
      const locked = await inTenant(deps.db, orgId, (tx) => membersWithoutSsoSignIn(tx, orgId));
      if (locked.length > 0) {
        throw new AppError(
          'SSO_LOCKOUT_UNACKNOWLEDGED',
          `${locked.length} active members have never signed in through SSO and would be locked out; acknowledge the lockout to enforce anyway`,
          {
            details: { errors: locked.slice(0, 50).map((m) => ({ path: 'members', message: m.email })) },
          },
        );
      }
    }
  }
  return deps.sso.setSsoEnforced(actorOf(auth), orgId, input.enforced);
}

export async function createPortalLink(
  deps: { db: Kysely<Database>; admin: Pick<OrganizationAdmin, 'generatePortalLink'>; publicUrl: string },
  auth: AuthContext,
  orgId: string,
  input: { intent: PortalIntent; returnUrl?: string | undefined },
): Promise<{ link: string; expiresAt: string }> {
  // An open redirect through the portal would send the customer's IT admin anywhere.
  const origin = deps.publicUrl ? new URL(deps.publicUrl).origin : null;
  const returnUrl = input.returnUrl && deps.publicUrl ? sameOriginUrl(input.returnUrl, deps.publicUrl) : null;
  if (input.returnUrl && returnUrl === null) {
    throw new AppError('REQUEST_INVALID', "returnUrl must be on this application's own origin", {
      details: { errors: [{ path: 'body.returnUrl', message: `expected a URL on ${origin}` }] },
    });
  }
  const { link } = await deps.admin.generatePortalLink({
    organizationId: orgId,
    intent: input.intent,
    returnUrl: returnUrl ?? undefined,
  });
  const expiresAt = new Date(Date.now() + PORTAL_LINK_TTL_MS).toISOString();
  await inTenant(deps.db, orgId, (tx) =>
    appendAuditEvent(tx, {
      organizationId: orgId,
      type: 'admin_portal.link_created',
      actor: actorOf(auth),
      target: { type: 'organization', id: orgId },
      data: { intent: input.intent, expiresAt },
    }),
  );
  return { link, expiresAt };
}
