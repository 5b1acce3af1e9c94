-- Where a member's role came from, so a directory mapping that goes away takes back only what it
-- gave: 'provider' (the identity provider, an invitation or the default role), 'manual' (an admin
-- set it by hand) or 'mapping' (a directory group mapping). Removing the last mapping returns
-- only 'mapping' roles to the default; hand-set roles stay.
ALTER TABLE organization_memberships ADD COLUMN role_source text NOT NULL DEFAULT 'provider'
  CHECK (role_source IN ('provider', 'manual', 'mapping'));
-- The role a member held before a mapping took over; the mapping gives it back when it goes away.
ALTER TABLE organization_memberships ADD COLUMN role_before_mapping text;

-- A super-admin inside another tenant: entering is an explicit, audited POST, and the entry is
-- what later requests into that tenant check, so reading pages writes nothing. Keyed by the
-- super-admin's session (empty for credentials without one) and bounded in time.
CREATE TABLE superadmin_entries (
  organization_id text NOT NULL REFERENCES organizations (id),
  user_id text NOT NULL,
  session_key text NOT NULL,
  entered_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (organization_id, user_id, session_key)
);
ALTER TABLE superadmin_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE superadmin_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON superadmin_entries
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
