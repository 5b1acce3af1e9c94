// The minimal mirror a sign-in writes: the organization (when webhooks have not brought it yet),
// the user and the membership, in the sign-in's own transaction. The webhook/reconciliation path
// (src/directory) owns the full mirror; here we only make sure the rows a session points at
// exist, and we never move a row back in time: a membership the mirror saw updated later than
// the provider's copy we hold (e.g. deactivated by a directory event) is left as it is.
import { sql } from 'kysely';
import type { MembershipStatus } from '../store/schema.ts';
import { asSystem, type Tx } from '../store/tenant.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { ProviderMembership, ProviderOrganization, ProviderUser } from './provider.ts';

export interface MirroredMembership {
  id: string;
  roleSlug: string;
  status: MembershipStatus;
}

/** Inserts the organization row when it is missing (system transaction: it is not yet a tenant we can scope to). */
export async function ensureOrganization(db: Kysely<Database>, org: ProviderOrganization): Promise<void> {
  await asSystem(db, 'mirror an organization first seen at sign-in', async (tx) => {
    await tx
      .insertInto('organizations')
      .values({ id: org.id, name: org.name })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    for (const d of org.domains) {
      const state =
        d.state === 'verified' || d.state === 'legacy_verified' || d.state === 'failed' ? d.state : 'pending';
      const exists = await tx
        .selectFrom('organization_domains')
        .select('id')
        .where('organization_id', '=', org.id)
        .where(sql<boolean>`lower(domain) = ${d.domain.toLowerCase()}`)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!exists) {
        await tx
          .insertInto('organization_domains')
          .values({
            organization_id: org.id,
            id: `${org.id}:${d.domain.toLowerCase()}`,
            domain: d.domain.toLowerCase(),
            state,
          })
          .onConflict((oc) => oc.doNothing())
          .execute(); // a concurrent sign-in or webhook got there first
      }
    }
  });
}

export async function organizationExists(
  db: Kysely<Database>,
  organizationId: string,
): Promise<{ name: string; deleted: boolean } | null> {
  const row = await asSystem(db, 'check an organization named by the identity provider at sign-in', (tx) =>
    tx.selectFrom('organizations').select(['name', 'deleted_at']).where('id', '=', organizationId).executeTakeFirst(),
  );
  return row ? { name: row.name, deleted: row.deleted_at !== null } : null;
}

/** Upserts the global user row and stamps the sign-in. */
export async function upsertUser(tx: Tx, user: ProviderUser, signedInAt: Date): Promise<void> {
  const updatedAt = user.updatedAt ? new Date(user.updatedAt) : null;
  await tx
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email.toLowerCase(),
      email_verified: user.emailVerified,
      first_name: user.firstName,
      last_name: user.lastName,
      last_sign_in_at: signedInAt,
      provider_updated_at: updatedAt,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        last_sign_in_at: signedInAt,
        // Profile fields only move forward in provider time (a late webhook may have newer ones).
        email: sql<string>`CASE WHEN users.provider_updated_at IS NULL OR ${updatedAt}::timestamptz >= users.provider_updated_at THEN ${eb.ref('excluded.email')} ELSE users.email END`,
        first_name: sql<
          string | null
        >`CASE WHEN users.provider_updated_at IS NULL OR ${updatedAt}::timestamptz >= users.provider_updated_at THEN ${eb.ref('excluded.first_name')} ELSE users.first_name END`,
        last_name: sql<
          string | null
        >`CASE WHEN users.provider_updated_at IS NULL OR ${updatedAt}::timestamptz >= users.provider_updated_at THEN ${eb.ref('excluded.last_name')} ELSE users.last_name END`,
        email_verified: sql<boolean>`users.email_verified OR ${eb.ref('excluded.email_verified')}`,
        provider_updated_at: sql<Date | null>`greatest(users.provider_updated_at, ${updatedAt}::timestamptz)`,
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** The mirror's membership of the user in the organization (tenant transaction), if any. */
export async function readMembership(
  tx: Tx,
  organizationId: string,
  userId: string,
): Promise<(MirroredMembership & { providerUpdatedAt: Date | null }) | null> {
  const row = await tx
    .selectFrom('organization_memberships')
    .select(['id', 'role_slug', 'status', 'provider_updated_at'])
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row
    ? { id: row.id, roleSlug: row.role_slug, status: row.status, providerUpdatedAt: row.provider_updated_at }
    : null;
}

/**
 * Brings the mirror's membership up to the provider's copy unless the mirror is newer, then
 * returns what the mirror now says (the access layer reads the mirror, so we answer from it too).
 */
export async function upsertMembership(
  tx: Tx,
  m: ProviderMembership,
  source: 'jit' | 'manual',
): Promise<MirroredMembership> {
  const current = await readMembership(tx, m.organizationId, m.userId);
  const providerTime = m.updatedAt ? new Date(m.updatedAt) : null;
  if (!current) {
    // Two sign-ins of one person at once (or a webhook) may race to create the row: first wins.
    const inserted = await tx
      .insertInto('organization_memberships')
      .values({
        organization_id: m.organizationId,
        id: m.id,
        user_id: m.userId,
        role_slug: m.roleSlug,
        status: m.status,
        source,
        provider_updated_at: providerTime,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: m.id, roleSlug: m.roleSlug, status: m.status };
    const raced = await readMembership(tx, m.organizationId, m.userId);
    if (raced) return raced;
    throw new Error('membership row conflicted but is not visible');
  }
  const mirrorIsNewer = current.providerUpdatedAt && providerTime && current.providerUpdatedAt > providerTime;
  if (mirrorIsNewer || current.id !== m.id) return current;
  await tx
    .updateTable('organization_memberships')
    .set({ role_slug: m.roleSlug, status: m.status, provider_updated_at: providerTime, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', m.organizationId)
    .where('id', '=', m.id)
    .execute();
  return { id: m.id, roleSlug: m.roleSlug, status: m.status };
}

export async function stampMembershipSignIn(
  tx: Tx,
  organizationId: string,
  membershipId: string,
  at: Date,
  viaSso: boolean,
): Promise<void> {
  await tx
    .updateTable('organization_memberships')
    .set(viaSso ? { last_sign_in_at: at, last_sso_sign_in_at: at } : { last_sign_in_at: at })
    .where('organization_id', '=', organizationId)
    .where('id', '=', membershipId)
    .execute();
}
