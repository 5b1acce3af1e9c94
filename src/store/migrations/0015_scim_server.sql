-- The SCIM 2.0 server Gatehouse runs itself (src/scim/), for directories that do not go through
-- WorkOS. A directory here is also a row of the `directories` mirror (same id): its users and
-- groups land in directory_users / directory_groups / directory_group_members through the same
-- handlers a WorkOS dsync.* event goes through. These tables keep what the mirror does not: the
-- SCIM representation an identity provider wrote (answered back verbatim on GET), the names that
-- must be unique per directory, a version per resource for ETags, and the bearer tokens.

CREATE TABLE scim_directories (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  name text NOT NULL,
  -- The version the last write of this directory applied its mirror changes at. Each write moves
  -- it forward under the row lock, so the mirror's order check never sees a SCIM write as stale.
  version_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX scim_directories_id ON scim_directories (id);

-- Only sha256 of a token is kept (threat: a database leak handing out working tokens). A rotated
-- token keeps working until expires_at (the overlap while the IdP is reconfigured); a revoked one
-- stops at once.
CREATE TABLE scim_tokens (
  organization_id text NOT NULL,
  id text NOT NULL,
  directory_id text NOT NULL,
  token_hash text NOT NULL,
  display_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, directory_id) REFERENCES scim_directories (organization_id, id)
);
-- A token is looked up by its hash before its organization is known (a system read).
CREATE UNIQUE INDEX scim_tokens_hash ON scim_tokens (token_hash);
CREATE INDEX scim_tokens_directory ON scim_tokens (organization_id, directory_id);

CREATE TABLE scim_users (
  organization_id text NOT NULL,
  directory_id text NOT NULL,
  id text NOT NULL,
  user_name text NOT NULL,
  external_id text,
  active boolean NOT NULL,
  resource jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, directory_id) REFERENCES scim_directories (organization_id, id)
);
CREATE UNIQUE INDEX scim_users_id ON scim_users (id);
CREATE UNIQUE INDEX scim_users_user_name ON scim_users (directory_id, lower(user_name));
CREATE INDEX scim_users_external_id ON scim_users (directory_id, external_id);

CREATE TABLE scim_groups (
  organization_id text NOT NULL,
  directory_id text NOT NULL,
  id text NOT NULL,
  display_name text NOT NULL,
  external_id text,
  resource jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, directory_id) REFERENCES scim_directories (organization_id, id)
);
CREATE UNIQUE INDEX scim_groups_id ON scim_groups (id);
CREATE UNIQUE INDEX scim_groups_display_name ON scim_groups (directory_id, lower(display_name));

ALTER TABLE scim_directories ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim_directories FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim_directories
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE scim_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim_tokens
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE scim_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim_users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim_users
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE scim_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim_groups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim_groups
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
