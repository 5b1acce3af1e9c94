// Role slugs arriving from WorkOS (webhooks, the Events API, sign-in) read back to Gatehouse's own
// slug for a custom role kept at WorkOS as `org-<slug>` (core/role-slugs.ts decides the spelling).
import { gatehouseRoleSlug, PROVIDER_ROLE_PREFIX } from '../core/role-slugs.ts';
import type { Tx } from '../store/tenant.ts';

export async function mirroredRoleSlug(tx: Tx, organizationId: string, providerSlug: string): Promise<string> {
  if (!providerSlug.startsWith(PROVIDER_ROLE_PREFIX)) return providerSlug;
  const rows = await tx
    .selectFrom('organization_roles')
    .select('slug')
    .where('organization_id', '=', organizationId)
    .where('slug', 'in', [providerSlug, providerSlug.slice(PROVIDER_ROLE_PREFIX.length)])
    .execute();
  const known = new Set(rows.map((r) => r.slug));
  return gatehouseRoleSlug(providerSlug, (s) => known.has(s));
}
