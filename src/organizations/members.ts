// Reading an organization's members from the local mirror (memberships joined with users), with
// when each last signed in and whether ever through SSO. Changes to members go through the
// identity provider and come back through the mirror; see the members API routes.
import type { MembershipSource, MembershipStatus } from '../store/schema.ts';
import type { Tx } from '../store/tenant.ts';

export interface Member {
  membershipId: string;
  userId: string;
  email: string;
  name: string | null;
  role: string;
  status: MembershipStatus;
  source: MembershipSource;
  lastSignInAt: string | null;
  lastSsoSignInAt: string | null;
}

export interface MemberListOptions {
  status?: MembershipStatus | undefined;
  /** Membership id to continue after (ids sort by creation time). */
  after?: string | undefined;
  limit: number;
}

export async function listMembers(tx: Tx, organizationId: string, options: MemberListOptions): Promise<Member[]> {
  let q = tx
    .selectFrom('organization_memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id',
      'm.user_id',
      'u.email',
      'u.first_name',
      'u.last_name',
      'm.role_slug',
      'm.status',
      'm.source',
      'm.last_sign_in_at',
      'm.last_sso_sign_in_at',
    ])
    .where('m.organization_id', '=', organizationId)
    .where('m.deleted_at', 'is', null);
  if (options.status) q = q.where('m.status', '=', options.status);
  if (options.after) q = q.where('m.id', '>', options.after);
  const rows = await q.orderBy('m.id').limit(options.limit).execute();
  return rows.map((r) => ({
    membershipId: r.id,
    userId: r.user_id,
    email: r.email,
    name: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
    role: r.role_slug,
    status: r.status,
    source: r.source,
    lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
    lastSsoSignInAt: r.last_sso_sign_in_at?.toISOString() ?? null,
  }));
}

/** Active members who never signed in through SSO: enforcing SSO now would lock them out. */
export async function membersWithoutSsoSignIn(tx: Tx, organizationId: string): Promise<Member[]> {
  const all = await listMembers(tx, organizationId, { status: 'active', limit: 10_000 });
  return all.filter((m) => m.lastSsoSignInAt === null);
}
