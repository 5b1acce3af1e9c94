// The permission ceiling with the store: who the granter is in the organization, what the granted
// role carries, and a refusal that is audited and answered 403. Every path that hands out a role
// calls `enforceGrant` (custom role create/edit, member role change, invitation, directory group
// mapping, API key, tenant provisioning); the rule itself is `decideGrant` in core/ceiling.ts.
//
// Exported API:
//   granterOf(auth, organizationId, catalogue), superAdminGranter(auth, catalogue),
//   operatorGranter(actor, catalogue) -> GrantingActor
//   rolePermissions(tx, organizationId, slug, catalogue) -> string[] | null
//   enforceGrant(db, organizationId, granter, request)    (opens its own tenant transaction)
//   grantError(decision, path) -> AppError
import type { Kysely } from 'kysely';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuditActor } from '../audit/chain.ts';
import type { AuthContext } from '../core/auth-context.ts';
import { decideGrant, type GrantRefusal, type Granter, type GrantRequest } from '../core/ceiling.ts';
import { AppError } from '../core/errors.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import type { Database } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';

export interface GrantingActor extends Granter {
  actor: AuditActor;
  /** The install's permissions (Gatehouse's and the app's): what a role named by slug grants is read through it. */
  catalogue: PermissionCatalogue;
}

/**
 * The granter as the access layer sees them in `organizationId`. A super-admin inside another
 * tenant passes every permission check there (the API and pages let them act as its admin), so
 * their ceiling there is that tenant's full set; at home, their own role's.
 */
export function granterOf(auth: AuthContext, organizationId: string, catalogue: PermissionCatalogue): GrantingActor {
  const visiting = auth.isSuperAdmin && organizationId !== auth.organizationId;
  return {
    actor: actorOf(auth),
    catalogue,
    permissions: visiting ? catalogue.all : auth.permissions,
    role: visiting ? null : auth.role,
    userId: auth.principal.type === 'user' ? auth.principal.userId : null,
  };
}

/** A super-admin provisioning a tenant they are not yet in: that tenant's full set, as when visiting. */
export function superAdminGranter(auth: AuthContext, catalogue: PermissionCatalogue): GrantingActor {
  if (!auth.isSuperAdmin) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
  const userId = auth.principal.type === 'user' ? auth.principal.userId : null;
  return { actor: actorOf(auth), catalogue, permissions: catalogue.all, role: null, userId };
}

/** The install's operator (CLI on the server, seeding): holds every permission, no role. */
export function operatorGranter(actor: AuditActor, catalogue: PermissionCatalogue): GrantingActor {
  return { actor, catalogue, permissions: catalogue.all, role: null, userId: null };
}

/**
 * The permissions a role grants in an organization (custom first, then built in), or null: its
 * stored slugs that the catalogue knows, plus the app permissions a built-in role includes.
 */
export async function rolePermissions(
  tx: Tx,
  organizationId: string,
  role: string,
  catalogue: PermissionCatalogue,
): Promise<string[] | null> {
  const custom = await tx
    .selectFrom('organization_roles')
    .select('permissions')
    .where('organization_id', '=', organizationId)
    .where('slug', '=', role)
    .executeTakeFirst();
  if (custom) return catalogue.grantedBy({ slug: role, builtIn: false }, custom.permissions);
  const builtIn = await tx.selectFrom('roles').select('permissions').where('slug', '=', role).executeTakeFirst();
  return builtIn ? catalogue.grantedBy({ slug: role, builtIn: true }, builtIn.permissions) : null;
}

const MESSAGES: Record<GrantRefusal['reason'], string> = {
  exceeds_granter: 'You cannot grant permissions you do not hold',
  own_role: 'You cannot change your own role',
  raises_held_role: 'You cannot add permissions to the role you hold',
  target_outranks: 'You cannot change the role of a member who holds permissions you do not',
};

export function grantError(refusal: GrantRefusal, path: GrantRequest['path']): AppError {
  const missing = 'missing' in refusal ? refusal.missing : [];
  const details = { reason: refusal.reason, ...(missing.length ? { missing } : {}) };
  // API keys kept their own code from before the ceiling covered every path (codes never change).
  if (path === 'api_key' && refusal.reason === 'exceeds_granter') {
    const message = 'An API key cannot carry a role with permissions its creator does not have';
    return new AppError('AUTH_API_KEY_ROLE_TOO_HIGH', message, { details });
  }
  const self = refusal.reason === 'own_role' || refusal.reason === 'raises_held_role';
  const code = self ? 'AUTH_ROLE_ESCALATION' : 'AUTH_PERMISSION_CEILING';
  return new AppError(code, MESSAGES[refusal.reason], { details });
}

/** What the request names by role slug alone gets the role's permissions filled in. */
export type GrantInput = Omit<GrantRequest, 'permissions'> & { permissions?: readonly string[] };

/**
 * Decides `request` for `granter` in `organizationId`; a refusal is appended to the organization's
 * audit chain (its own transaction, so it survives the refused change) and thrown as a 403.
 * Call it outside any open transaction of the same store. A role that does not exist is left to
 * the caller's own check (a 422 there), since nothing can be granted through it.
 */
export async function enforceGrant(
  db: Kysely<Database>,
  organizationId: string,
  granter: GrantingActor,
  input: GrantInput,
): Promise<void> {
  const refusal = await inTenant(db, organizationId, async (tx) => {
    const byRole = input.roleSlug ? await rolePermissions(tx, organizationId, input.roleSlug, granter.catalogue) : null;
    const permissions = input.permissions ?? byRole;
    if (!permissions) return null;
    const decision = decideGrant(granter, { ...input, permissions });
    if (decision.ok) return null;
    await appendAuditEvent(tx, {
      organizationId,
      type: 'access.escalation_refused',
      actor: granter.actor,
      target: input.targetUserId
        ? { type: 'user', id: input.targetUserId }
        : { type: 'role', id: input.roleSlug ?? '' },
      data: {
        path: input.path,
        role: input.roleSlug ?? null,
        reason: decision.reason,
        missing: 'missing' in decision ? decision.missing : [],
      },
    });
    return decision;
  });
  if (refusal) throw grantError(refusal, input.path);
}
