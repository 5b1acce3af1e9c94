// Every tenant at a glance, for super-admins: SSO state, directories and member counts. A read
// across tenants, so it runs as the system and the caller audits it.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';

export interface TenantSummary {
  id: string;
  name: string;
  externalId: string | null;
  createdAt: string;
  sso: { enabled: boolean; enforced: boolean; provider: string | null };
  directories: { count: number; users: number; lastEventAt: string | null };
  members: { active: number; inactive: number; pending: number };
}

export async function listTenants(db: Kysely<Database>): Promise<TenantSummary[]> {
  return asSystem(db, 'super-admin tenant listing', async (tx) => {
    const rows = await tx
      .selectFrom('organizations as o')
      .leftJoin('sso_configs as s', 's.organization_id', 'o.id')
      .select([
        'o.id',
        'o.name',
        'o.external_id',
        'o.created_at',
        's.enabled',
        's.enforced',
        's.provider',
        sql<number>`(SELECT count(*)::int FROM directories d WHERE d.organization_id = o.id AND d.deleted_at IS NULL)`.as(
          'directory_count',
        ),
        sql<number>`(SELECT count(*)::int FROM directory_users du WHERE du.organization_id = o.id AND du.deleted_at IS NULL AND du.state = 'active')`.as(
          'directory_users',
        ),
        sql<Date | null>`(SELECT max(d.provider_updated_at) FROM directories d WHERE d.organization_id = o.id)`.as(
          'directory_last_event',
        ),
        sql<number>`(SELECT count(*)::int FROM organization_memberships m WHERE m.organization_id = o.id AND m.deleted_at IS NULL AND m.status = 'active')`.as(
          'active',
        ),
        sql<number>`(SELECT count(*)::int FROM organization_memberships m WHERE m.organization_id = o.id AND m.deleted_at IS NULL AND m.status = 'inactive')`.as(
          'inactive',
        ),
        sql<number>`(SELECT count(*)::int FROM organization_memberships m WHERE m.organization_id = o.id AND m.deleted_at IS NULL AND m.status = 'pending')`.as(
          'pending',
        ),
      ])
      .where('o.deleted_at', 'is', null)
      .orderBy('o.name')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      externalId: r.external_id,
      createdAt: r.created_at.toISOString(),
      sso: { enabled: r.enabled ?? false, enforced: r.enforced ?? false, provider: r.provider ?? null },
      directories: {
        count: r.directory_count,
        users: r.directory_users,
        lastEventAt: r.directory_last_event ? new Date(r.directory_last_event).toISOString() : null,
      },
      members: { active: r.active, inactive: r.inactive, pending: r.pending },
    }));
  });
}
