// The production AccessRevoker: revocations ride the sessions revocation bus (NOTIFY inside our
// transaction, delivered on commit), personal API keys are revoked through their in-transaction
// service, and session rows are marked revoked by the session service right after commit. The
// membership is already inactive in the same transaction, so a session resolved in between is
// refused anyway (access/ reads membership status on every resolution).
import type { AuditActor } from '../audit/chain.ts';
import type { RevocationEvent } from '../core/auth-context.ts';
import type { Tx } from '../store/tenant.ts';
import type { AccessRevoker, ApplyContext } from './context.ts';

export interface AccessRevokerDeps {
  publish(tx: Tx, event: RevocationEvent): Promise<void>;
  revokeApiKey?(
    tx: Tx,
    input: { organizationId: string; apiKeyId: string; actor: AuditActor; reason?: string },
  ): Promise<boolean>;
  /** The organization-admin port (src/identity/organization-admin.ts): the one writer of member roles at WorkOS. */
  roles?: {
    updateMembershipRole(membershipId: string, roleSlug: string): Promise<unknown>;
    /** Makes a custom role exist at WorkOS before a membership names it (organizations/provider-roles.ts). */
    ensureRole?(organizationId: string, roleSlug: string): Promise<unknown>;
  };
  /**
   * Told when a deferred role write fails (the next membership event or full reconcile retries it).
   * Without it the failure is rethrown to the caller of the deferred tasks.
   */
  onRoleWriteFailed?(error: unknown, input: { organizationId: string; membershipId: string }): void;
  /**
   * Told when marking a deprovisioned user's sessions revoked failed after commit. Access is
   * refused anyway (the membership is inactive and the revocation was published), but the
   * session rows still read active until the next deprovisioning or their expiry. Without it the
   * failure is rethrown to the caller of the deferred tasks.
   */
  onSessionRevocationFailed?(error: unknown, input: { organizationId: string; userId: string; reason: string }): void;
  sessions?: {
    revokeAllForUser(
      userId: string,
      organizationId: string | undefined,
      actor: AuditActor,
      reason?: string,
    ): Promise<number>;
    endProviderSession?(tx: Tx, providerSessionId: string, actor: AuditActor): Promise<number>;
  };
}

export function createAccessRevoker(deps: AccessRevokerDeps): AccessRevoker {
  return {
    revoke: (tx, event) => deps.publish(tx, event),
    async revokeCredentials(ctx: ApplyContext, input) {
      const actor: AuditActor = { type: 'provider_event', id: ctx.event.id };
      if (deps.revokeApiKey) {
        const keys = await ctx.tx
          .selectFrom('api_keys')
          .select('id')
          .where('organization_id', '=', input.organizationId)
          .where('owner_user_id', '=', input.userId)
          .where('revoked_at', 'is', null)
          .execute();
        for (const k of keys)
          await deps.revokeApiKey(ctx.tx, {
            organizationId: input.organizationId,
            apiKeyId: k.id,
            actor,
            reason: input.reason,
          });
      }
      const sessions = deps.sessions;
      if (!sessions) return;
      const revoke = () => sessions.revokeAllForUser(input.userId, input.organizationId, actor, input.reason);
      ctx.defer(() =>
        revoke().catch((error: unknown) => {
          if (!deps.onSessionRevocationFailed) throw error;
          deps.onSessionRevocationFailed(error, input);
        }),
      );
    },
    writeMembershipRole(ctx: ApplyContext, input) {
      const roles = deps.roles;
      if (!roles) return;
      ctx.defer(() =>
        Promise.resolve(roles.ensureRole?.(input.organizationId, input.role))
          .then(() => roles.updateMembershipRole(input.membershipId, input.role))
          .catch((error: unknown) => {
            if (!deps.onRoleWriteFailed) throw error;
            deps.onRoleWriteFailed(error, input);
          }),
      );
    },
    async endProviderSession(ctx, providerSessionId) {
      await deps.sessions?.endProviderSession?.(ctx.tx, providerSessionId, {
        type: 'provider_event',
        id: ctx.event.id,
      });
    },
  };
}
