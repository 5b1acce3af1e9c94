-- Direct OIDC connections (AUTH_PROVIDER=oidc): one organization's identity provider, added by its
-- admin. The id is the same `conn_…` as the sso_connections row the SSO settings list, so enabling
-- and enforcing SSO work as in WorkOS mode. The client secret is token-vault ciphertext bound to
-- the connection id (a database reader cannot use it, nor move it under another connection).
CREATE TABLE oidc_connections (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  issuer text NOT NULL,
  client_id text NOT NULL,
  client_secret_enc text NOT NULL,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX oidc_connections_id ON oidc_connections (id);

-- The email domains a connection serves. Home-realm discovery sends an email straight to the one
-- connection serving its domain, so a domain belongs to at most one live connection (lower case).
CREATE TABLE oidc_connection_domains (
  domain text PRIMARY KEY,
  organization_id text NOT NULL,
  connection_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, connection_id) REFERENCES oidc_connections (organization_id, id)
);
CREATE INDEX oidc_connection_domains_connection ON oidc_connection_domains (organization_id, connection_id);

-- Who an identity provider's subject is: issuer + subject names one person for good, whatever
-- email the provider later asserts. Not tenant data (a person can belong to several tenants).
CREATE TABLE oidc_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id text NOT NULL REFERENCES users (id),
  connection_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

ALTER TABLE oidc_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oidc_connections
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE oidc_connection_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_connection_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oidc_connection_domains
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
