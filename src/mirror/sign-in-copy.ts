// The provider's copy a sign-in writes into the mirror: the organization (when webhooks have not
// brought it yet), the user and the membership, in the sign-in's own transaction. Webhooks and
// reconciliation write the full mirror; this only makes sure the rows a session points at exist.
// It follows the mirror's one versioning rule (version.ts): the copy is a listing (the provider's
// updated_at, no event id), so it never moves a row back in time — a membership the mirror saw
// updated later (e.g. deactivated by a directory event) is left as it is — and a copy without a
// time only fills rows that have no version yet. Deleted rows (tombstones) are never revived.
import { mirroredRoleSlug } from './role-slugs.ts';
import { sql } from 'kysely';
import type { MembershipSource, MembershipStatus } from '../store/schema.ts';
import { asSystem, type Tx } from '../store/tenant.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { ProviderMembership, ProviderOrganization, ProviderUser } from '../core/provider-entities.ts';
import { ensureOrganization } from './context.ts';
import { newerThanRow, versionColumns, type ListedVersion } from './version.ts';

function listed(updatedAt: string | null): ListedVersion {
  return { at: updatedAt, eventId: null };
}

export interface MirroredMembership {
  id: string;
  roleSlug: string;
  status: MembershipStatus;
}

/**
 * Inserts the organization (named, with its domains) when it is missing, as an unversioned row
 * like any placeholder: its own event or listing fills it in. System transaction: it is not yet
 * a tenant we can scope to.
 */
export async function mirrorSignInOrganization(db: Kysely<Database>, org: ProviderOrganization): Promise<void> {
  await asSystem(db, 'mirror an organization first seen at sign-in', async (tx) => {
    await ensureOrganization({ tx }, org.id, org.name);
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

/** Upserts the global user row and stamps the sign-in; profile fields only when the copy is newer. */
export async function upsertUser(tx: Tx, user: ProviderUser, signedInAt: Date): Promise<void> {
  const version = listed(user.updatedAt);
  const newer = sql<boolean>`(${newerThanRow('users', version)} AND users.deleted_at IS NULL)`;
  await tx
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email.toLowerCase(),
      email_verified: user.emailVerified,
      first_name: user.firstName,
      last_name: user.lastName,
      last_sign_in_at: signedInAt,
      ...versionColumns(version),
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        last_sign_in_at: signedInAt,
        email: sql<string>`CASE WHEN ${newer} THEN ${eb.ref('excluded.email')} ELSE users.email END`,
        first_name: sql<
          string | null
        >`CASE WHEN ${newer} THEN ${eb.ref('excluded.first_name')} ELSE users.first_name END`,
        last_name: sql<string | null>`CASE WHEN ${newer} THEN ${eb.ref('excluded.last_name')} ELSE users.last_name END`,
        email_verified: sql<boolean>`users.email_verified OR ${eb.ref('excluded.email_verified')}`,
        provider_updated_at: sql<
          string | null
        >`CASE WHEN ${newer} THEN ${eb.ref('excluded.provider_updated_at')} ELSE users.provider_updated_at END`,
        last_event_id: sql<
          string | null
        >`CASE WHEN ${newer} THEN ${eb.ref('excluded.last_event_id')} ELSE users.last_event_id END`,
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
  source: Extract<MembershipSource, 'jit' | 'manual'>,
): Promise<MirroredMembership> {
  const version = listed(m.updatedAt);
  // WorkOS spells a custom role `org-<slug>`; the mirror keeps Gatehouse's slug.
  m = { ...m, roleSlug: await mirroredRoleSlug(tx, m.organizationId, m.roleSlug) };
  const current = await readMembership(tx, m.organizationId, m.userId);
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
        ...versionColumns(version),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: m.id, roleSlug: m.roleSlug, status: m.status };
    const raced = await readMembership(tx, m.organizationId, m.userId);
    if (raced) return raced;
    throw new Error('membership row conflicted but is not visible');
  }
  if (current.id !== m.id) return current;
  const updated = await tx
    .updateTable('organization_memberships')
    .set({ role_slug: m.roleSlug, status: m.status, ...versionColumns(version), updated_at: sql<Date>`now()` })
    .where('organization_id', '=', m.organizationId)
    .where('id', '=', m.id)
    .where('deleted_at', 'is', null)
    .where(newerThanRow('organization_memberships', version))
    .returning('id')
    .executeTakeFirst();
  return updated ? { id: m.id, roleSlug: m.roleSlug, status: m.status } : current;
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
