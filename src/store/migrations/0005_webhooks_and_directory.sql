-- WorkOS webhooks and directory sync: the inbox that makes every event apply exactly once, the
-- directory mirror (directories, users, groups, group members), group-to-role mappings, the
-- invitation and SSO connection mirrors, the mail outbox and the reconciliation cursor.
-- Mirrored rows carry provider_updated_at + last_event_id: together they order the row's versions,
-- so an older event never overwrites newer state; deletes leave tombstones (deleted_at).

-- The inbox. Its primary key is the provider's event id: a second delivery of the same event
-- conflicts here and changes nothing. Global (not per tenant): an event is received before we
-- know which organization it concerns, and some concern none.
CREATE TABLE webhook_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  organization_id text,
  payload jsonb NOT NULL,
  provider_created_at timestamptz NOT NULL,
  source text NOT NULL CHECK (source IN ('webhook', 'events_api')),
  outcome text NOT NULL CHECK (outcome IN ('applied', 'stale', 'unhandled')),
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_org ON webhook_events (organization_id, provider_created_at);

CREATE TABLE directories (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  name text NOT NULL,
  type text NOT NULL,
  state text NOT NULL,
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX directories_id ON directories (id);

-- user_id links the directory user to the Gatehouse user with the same email, once one exists.
CREATE TABLE directory_users (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  directory_id text NOT NULL,
  idp_id text NOT NULL,
  email text,
  first_name text,
  last_name text,
  state text NOT NULL,
  user_id text REFERENCES users (id),
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX directory_users_id ON directory_users (id);
CREATE INDEX directory_users_directory ON directory_users (organization_id, directory_id);
CREATE INDEX directory_users_email ON directory_users (lower(email)) WHERE deleted_at IS NULL;

CREATE TABLE directory_groups (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  directory_id text NOT NULL,
  idp_id text NOT NULL,
  name text NOT NULL,
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX directory_groups_id ON directory_groups (id);

-- One row per (group, user) ever seen; `present` false is the tombstone of a removal, so a late
-- user_added older than the removal cannot put the user back.
CREATE TABLE directory_group_members (
  organization_id text NOT NULL REFERENCES organizations (id),
  group_id text NOT NULL,
  directory_user_id text NOT NULL,
  directory_id text NOT NULL,
  present boolean NOT NULL,
  provider_updated_at timestamptz,
  last_event_id text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, group_id, directory_user_id)
);
CREATE INDEX directory_group_members_user ON directory_group_members (organization_id, directory_user_id) WHERE present;

-- An organization's mapping of directory groups to roles; the highest priority wins when a user
-- is in several mapped groups.
CREATE TABLE directory_group_role_mappings (
  organization_id text NOT NULL REFERENCES organizations (id),
  directory_group_id text NOT NULL,
  role_slug text NOT NULL,
  priority integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, directory_group_id)
);

CREATE TABLE invitations (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  email text NOT NULL,
  state text NOT NULL,
  role_slug text,
  accepted_user_id text,
  expires_at timestamptz,
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX invitations_id ON invitations (id);

-- The provider's SSO connections per organization, as the connection.* events report them.
CREATE TABLE sso_connections (
  organization_id text NOT NULL REFERENCES organizations (id),
  id text NOT NULL,
  connection_type text NOT NULL,
  name text,
  state text NOT NULL,
  provider_updated_at timestamptz,
  last_event_id text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX sso_connections_id ON sso_connections (id);

-- Outgoing mail. event_id de-duplicates: the same magic_auth.created never mails twice. No body
-- is stored: a sign-in code is fetched from the provider (`reference`) only when sending, so
-- codes never rest in the database. status `dev` = kept in the dev outbox folder (no SMTP_URL).
CREATE TABLE mail_outbox (
  id text PRIMARY KEY,
  event_id text UNIQUE,
  to_address text NOT NULL,
  template text NOT NULL,
  reference text,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'dev', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX mail_outbox_pending ON mail_outbox (created_at) WHERE status = 'pending';

-- Where reconciliation left off in the Events API (an event id cursor), and its last report.
CREATE TABLE sync_cursors (
  name text PRIMARY KEY,
  cursor text,
  last_run_at timestamptz,
  last_report jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE directories ENABLE ROW LEVEL SECURITY;
ALTER TABLE directories FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON directories
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE directory_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE directory_users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON directory_users
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE directory_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE directory_groups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON directory_groups
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE directory_group_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE directory_group_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON directory_group_members
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE directory_group_role_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE directory_group_role_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON directory_group_role_mappings
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
ALTER TABLE sso_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sso_connections
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
