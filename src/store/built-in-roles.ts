// Keeps the `permissions` and `roles` tables equal to src/core/permissions.ts after each start-up.
import { BUILT_IN_ROLES, PERMISSIONS } from '../core/permissions.ts';
import type { SqlSession } from './migrator.ts';

export async function syncBuiltInRoles(session: SqlSession): Promise<void> {
  const slugs = Object.keys(PERMISSIONS);
  await session.query(
    `INSERT INTO permissions (slug, description)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (slug) DO UPDATE SET description = excluded.description`,
    [slugs, Object.values(PERMISSIONS)],
  );
  for (const role of BUILT_IN_ROLES) {
    await session.query(
      `INSERT INTO roles (slug, name, description, permissions) VALUES ($1, $2, $3, $4)
       ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description,
         permissions = excluded.permissions, updated_at = now()
       WHERE roles.permissions IS DISTINCT FROM excluded.permissions OR roles.name IS DISTINCT FROM excluded.name`,
      [role.slug, role.name, role.description, [...role.permissions]],
    );
  }
}
