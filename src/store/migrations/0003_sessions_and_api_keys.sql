-- Server-side sessions and API keys. Both key on organization_id first (DESIGN.md §2) and sit
-- behind row-level security like every tenant table. Neither stores a usable secret: sessions keep
-- sha256 of the cookie's secret half, API keys sha256 of the whole key; the provider's tokens are
-- AES-256-GCM ciphertext under a key derived from GATEHOUSE_SECRET (key_id names which one).

CREATE TABLE sessions (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  user_id text NOT NULL REFERENCES users (id),
  workos_session_id text,
  auth_method text NOT NULL,
  role text NOT NULL,
  secret_hash text NOT NULL,
  key_id text,
  access_token_enc text,
  refresh_token_enc text,
  access_token_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  PRIMARY KEY (organization_id, id)
);
-- A cookie names the session id only: resolution finds the row without knowing the tenant.
CREATE UNIQUE INDEX sessions_id ON sessions (id);
CREATE INDEX sessions_user ON sessions (user_id, organization_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_workos_session ON sessions (workos_session_id) WHERE workos_session_id IS NOT NULL;

CREATE TABLE api_keys (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  name text NOT NULL,
  environment text NOT NULL CHECK (environment IN ('live', 'test')),
  -- The first characters of the key, for people to recognise it in a list; not enough to use it.
  display_prefix text NOT NULL,
  secret_hash text NOT NULL,
  role text NOT NULL,
  -- Personal keys die with their owner's membership; organization keys (NULL owner) do not.
  owner_user_id text REFERENCES users (id),
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text,
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);
CREATE UNIQUE INDEX api_keys_secret_hash ON api_keys (secret_hash);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
