// Domain auto-join: an organization that turned `domain_auto_join` on admits anyone
// who signs in with an email at one of its *verified* domains and has no membership yet, with the
// organization's default role. The membership is created at the provider (WorkOS stays the source
// of truth), then mirrored and audited by the sign-in that caused it.
//
// Threat: joining by an unverified domain would let anyone who registers `x@victim.com` at the
// provider walk into the victim's tenant; only verified (or legacy-verified) domains count, and
// only when the provider says the email itself is verified.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';

export interface AutoJoinTarget {
  organizationId: string;
  roleSlug: string;
}

/** The one organization the email's domain auto-joins, or null (none, or ambiguous). */
export async function findAutoJoinOrganization(
  db: Kysely<Database>,
  email: string,
  emailVerified: boolean,
): Promise<AutoJoinTarget | null> {
  if (!emailVerified) return null;
  const domain = email.toLowerCase().split('@')[1];
  if (!domain) return null;
  const rows = await asSystem(db, 'find the organization a verified email domain auto-joins', (tx) =>
    tx
      .selectFrom('organizations as o')
      .innerJoin('organization_domains as d', 'd.organization_id', 'o.id')
      .select(['o.id', 'o.default_role_slug'])
      .where('o.domain_auto_join', '=', true)
      .where('o.deleted_at', 'is', null)
      .where('d.deleted_at', 'is', null)
      .where('d.state', 'in', ['verified', 'legacy_verified'])
      .where(sql<boolean>`lower(d.domain) = ${domain}`)
      .limit(2)
      .execute(),
  );
  // Two organizations claiming one domain is a configuration conflict: join neither rather than guess.
  if (rows.length !== 1) return null;
  return { organizationId: rows[0]!.id, roleSlug: rows[0]!.default_role_slug };
}
