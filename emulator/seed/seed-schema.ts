// The seed file format (YAML or JSON). Names, not ids, link things together (a membership
// names its organization), so a seed reads like a description of a world and stays valid
// across restarts even though ids are generated fresh.
import { z } from 'zod';
import { CONNECTION_TYPES } from '../services/connections.ts';
import { DIRECTORY_TYPES } from '../services/directories.ts';

const RoleSeed = z.object({
  slug: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  permissions: z.array(z.string()).default([]),
});

const DirectoryUserSeed = z.object({
  email: z.email(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  user_name: z.string().optional(),
  job_title: z.string().optional(),
  state: z.enum(['active', 'inactive']).default('active'),
  groups: z.array(z.string()).default([]),
});

const OrganizationSeed = z.object({
  name: z.string().min(1),
  external_id: z.string().optional(),
  /** Verified domains. */
  domains: z.array(z.string().min(1)).default([]),
  /** Let SSO profiles outside the verified domains sign in (after proving their inbox). */
  allow_profiles_outside_organization: z.boolean().optional(),
  roles: z.array(RoleSeed).default([]),
  connections: z
    .array(
      z.object({
        type: z.enum(CONNECTION_TYPES).default('GenericSAML'),
        name: z.string().optional(),
        state: z.enum(['active', 'inactive', 'draft']).default('active'),
      }),
    )
    .default([]),
  directories: z
    .array(
      z.object({
        name: z.string().optional(),
        type: z.enum(DIRECTORY_TYPES).default('generic scim v2.0'),
        /** Fixed SCIM bearer token so a demo IdP configuration survives restarts. */
        scim_token: z.string().min(16).optional(),
        groups: z.array(z.string().min(1)).default([]),
        users: z.array(DirectoryUserSeed).default([]),
      }),
    )
    .default([]),
});

const UserSeed = z.object({
  email: z.email(),
  password: z.string().min(1).optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email_verified: z.boolean().default(true),
  external_id: z.string().optional(),
  memberships: z
    .array(
      z.object({
        organization: z.string().min(1),
        role: z.string().min(1).default('member'),
        roles: z.array(z.string().min(1)).optional(),
        status: z.enum(['active', 'inactive', 'pending']).default('active'),
      }),
    )
    .default([]),
});

export const SeedDocument = z.object({
  permissions: z
    .array(z.object({ slug: z.string().min(1), name: z.string().min(1), description: z.string().optional() }))
    .default([]),
  /** Environment roles; `admin` and `member` always exist and take the permissions given here. */
  roles: z.array(RoleSeed).default([]),
  organizations: z.array(OrganizationSeed).default([]),
  users: z.array(UserSeed).default([]),
  /** Registered AuthKit redirect URIs (none = any redirect URI is accepted). */
  redirect_uris: z.array(z.url()).default([]),
  /** Browser origins allowed to call the API (CORS), e.g. `http://localhost:5173`. */
  cors_origins: z.array(z.string().min(1)).default([]),
  webhook_endpoints: z
    .array(z.object({ url: z.url(), events: z.array(z.string()).min(1), secret: z.string().min(16).optional() }))
    .default([]),
  m2m_applications: z
    .array(
      z.object({
        name: z.string().min(1),
        organization: z.string().min(1),
        client_id: z.string().min(1).optional(),
        client_secret: z.string().min(16).optional(),
        scopes: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});

export type SeedDocument = z.infer<typeof SeedDocument>;
