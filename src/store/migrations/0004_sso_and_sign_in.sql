-- SSO configuration per organization (the seeds' SsoConfig { enabled, enforced, connectionId,
-- provider }). One row per organization, keyed on organization_id like every tenant table and
-- behind the same row-level security. The checks keep the two invariants the product promises
-- even against a buggy caller: SSO cannot be enforced unless it is enabled, and an enabled
-- configuration names its connection.

CREATE TABLE sso_configs (
  organization_id text PRIMARY KEY REFERENCES organizations (id),
  enabled boolean NOT NULL DEFAULT false,
  enforced boolean NOT NULL DEFAULT false,
  connection_id text,
  provider text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sso_configs_enforced_needs_enabled CHECK (NOT enforced OR enabled),
  CONSTRAINT sso_configs_enabled_needs_connection CHECK (NOT enabled OR connection_id IS NOT NULL)
);

ALTER TABLE sso_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_configs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sso_configs
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
