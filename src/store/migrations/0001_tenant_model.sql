-- Tenant model: organizations (tenants), their domains, users, memberships, roles and permissions.
-- Every tenant-scoped table keys on organization_id first, so a sharded PostgreSQL can distribute
-- by it later. Mirrored rows carry the provider's updated_at and the last event id applied, and
-- deletes leave tombstones (deleted_at) so a late event cannot resurrect a row.

-- Row-level security: a tenant-scoped statement sees rows only of the organization its transaction
-- set (gatehouse.organization_id), or every row inside an explicit system transaction
-- (gatehouse.rls_bypass). A statement that set neither sees nothing.
CREATE FUNCTION gatehouse_tenant_visible(org text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('gatehouse.rls_bypass', true), '') = 'on'
      OR org = nullif(current_setting('gatehouse.organization_id', true), '')
$$;

CREATE TABLE organizations (
  id text PRIMARY KEY,
  name text NOT NULL,
  external_id text,
  default_role_slug text NOT NULL DEFAULT 'member',
  domain_auto_join boolean NOT NULL DEFAULT false,
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_external_id ON organizations (external_id)
  WHERE external_id IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE organization_domains (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  domain text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'verified', 'failed', 'legacy_verified')),
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX organization_domains_domain ON organization_domains (organization_id, lower(domain))
  WHERE deleted_at IS NULL;

-- Users are global: one person can belong to several organizations.
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL,
  email_verified boolean NOT NULL DEFAULT false,
  first_name text,
  last_name text,
  external_id text,
  last_sign_in_at timestamptz,
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email ON users (lower(email));

-- Environment-wide permission slugs and built-in roles (admin, member); kept in sync from code.
CREATE TABLE permissions (
  slug text PRIMARY KEY,
  description text NOT NULL
);

CREATE TABLE roles (
  slug text PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  permissions text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Custom roles of one organization.
CREATE TABLE organization_roles (
  organization_id text NOT NULL REFERENCES organizations (id),
  slug text NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  permissions text[] NOT NULL DEFAULT '{}',
  provider_updated_at timestamptz,
  last_event_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, slug)
);

CREATE TABLE organization_memberships (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  user_id text NOT NULL REFERENCES users (id),
  role_slug text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'active', 'inactive')),
  source text NOT NULL CHECK (source IN ('invitation', 'directory', 'jit', 'manual')),
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX organization_memberships_user ON organization_memberships (organization_id, user_id)
  WHERE deleted_at IS NULL;
CREATE INDEX organization_memberships_by_user ON organization_memberships (user_id);

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
  USING (gatehouse_tenant_visible(id)) WITH CHECK (gatehouse_tenant_visible(id));

ALTER TABLE organization_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organization_domains
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));

ALTER TABLE organization_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organization_roles
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));

ALTER TABLE organization_memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organization_memberships
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
