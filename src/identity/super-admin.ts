// Super-admins: active members of GATEHOUSE_SUPERADMIN_ORG whose role there carries `tenants:admin`
// (src/access/memberships.ts). They may enter any organization, but only by an explicit POST (the
// tenant switcher page or the API), which writes one `superadmin.entered` entry into the entered
// organization's chain so its admins see who came. Later requests into that tenant check the
// recorded entry and write nothing. Threat: an entry written by any GET let a cross-site link
// (an <img> on another site) spam a tenant's audit trail in a super-admin's name; a POST passes
// the CSRF check first. (The listing of every tenant is src/organizations/tenants.ts, audited by
// its API route.)
//
// Exported API: enterTenant(db, auth, organizationId, via), requireTenantEntry(db, auth, organizationId)
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { organizationIsLive } from '../mirror/context.ts';

/** How long an entry lasts before the super-admin must enter again (and be audited again). */
const SUPERADMIN_ENTRY_HOURS = 8;

function requireSuperAdmin(auth: AuthContext): string {
  // 404, not 403: to everyone else these routes do not exist.
  if (!auth.isSuperAdmin || auth.principal.type !== 'user') throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
  return auth.principal.userId;
}

/** An entry belongs to the credential's session, so signing out (or another device) needs a new one. */
const sessionKey = (auth: AuthContext) => auth.sessionId ?? '';

/** Records a super-admin entering `organizationId` (one audit entry); an unknown organization is 404. */
export async function enterTenant(
  db: Kysely<Database>,
  auth: AuthContext,
  organizationId: string,
  via: string,
): Promise<void> {
  const userId = requireSuperAdmin(auth);
  if (organizationId === auth.organizationId) return;
  await inTenant(db, organizationId, async (tx) => {
    const org = await organizationIsLive(tx, organizationId);
    if (!org) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
    const expiresAt = new Date(Date.now() + SUPERADMIN_ENTRY_HOURS * 3_600_000);
    const entry = {
      organization_id: organizationId,
      user_id: userId,
      session_key: sessionKey(auth),
      expires_at: expiresAt,
    };
    await tx
      .insertInto('superadmin_entries')
      .values(entry)
      .onConflict((oc) =>
        oc.columns(['organization_id', 'user_id', 'session_key']).doUpdateSet({ expires_at: expiresAt }),
      )
      .execute();
    await appendAuditEvent(tx, {
      organizationId,
      type: 'superadmin.entered',
      actor: actorOf(auth),
      target: { type: 'organization', id: organizationId },
      data: { fromOrganizationId: auth.organizationId, via },
    });
  });
}

/**
 * Before serving a super-admin inside a tenant that is not their own: a live entry must exist.
 * Reads only. Without one the answer is 404 with its own code, naming the way in.
 */
export async function requireTenantEntry(
  db: Kysely<Database>,
  auth: AuthContext,
  organizationId: string,
): Promise<void> {
  const userId = requireSuperAdmin(auth);
  if (organizationId === auth.organizationId) return;
  const entry = await inTenant(db, organizationId, (tx) =>
    tx
      .selectFrom('superadmin_entries')
      .select('expires_at')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .where('session_key', '=', sessionKey(auth))
      .where('expires_at', '>', new Date())
      .executeTakeFirst(),
  );
  if (!entry) {
    const how = 'POST /api/v1/admin/organizations/{orgId}/enter or the tenant switcher';
    throw new AppError('AUTH_SUPERADMIN_NOT_ENTERED', `Enter this organization first: ${how}`);
  }
}
