// Gatehouse's own permission slugs and the built-in roles. Pure data: the store syncs it into
// `permissions` and `roles` at start-up. The app's own permissions join these in the install's
// permission catalogue (core/permission-catalogue.ts), which is what access checks read.

export const PERMISSIONS = {
  'organization:read': 'See the organization, its domains and settings',
  'organization:manage': 'Change organization settings and domains',
  'members:read': 'List members and invitations',
  'members:manage': 'Invite, change roles of, deactivate and remove members',
  'roles:manage': 'Create and change custom roles and directory group mappings',
  'sso:manage': 'Configure and enforce SSO, open the admin portal',
  'directory:manage': 'Manage directory sync and run reconciliation',
  'api_keys:manage': 'Create and revoke API keys',
  'sessions:manage': 'List and revoke sessions of members',
  'audit:read': 'Read, verify and export the audit trail',
  // Honoured only in the super-admin organization (GATEHOUSE_SUPERADMIN_ORG): its holders there are
  // super-admins. Elsewhere it grants nothing.
  'tenants:admin': 'Super-admin: list, provision and enter every tenant (in the super-admin organization only)',
  'sessions:introspect': "Resolve end users' credentials for an app and follow revocations (an app's API key)",
} as const;

/** The permission that makes a member of GATEHOUSE_SUPERADMIN_ORG a super-admin. */
export const SUPERADMIN_PERMISSION: Permission = 'tenants:admin';

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export interface BuiltInRole {
  slug: string;
  name: string;
  description: string;
  permissions: readonly Permission[];
}

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  { slug: 'admin', name: 'Admin', description: 'Full control of the organization', permissions: ALL_PERMISSIONS },
  {
    slug: 'member',
    name: 'Member',
    description: 'Uses the product; sees the organization and its members',
    permissions: ['organization:read', 'members:read'],
  },
];
