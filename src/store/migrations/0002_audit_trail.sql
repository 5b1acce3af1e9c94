-- The audit trail: one hash chain per organization.
-- hash = sha256(prev_hash || canonical_json(event)); see src/audit/chain.ts for the exact bytes.
-- audit_heads holds each chain's last (seq, hash); appends lock that row, which serializes the
-- writers of one organization while different organizations append in parallel.

CREATE TABLE audit_heads (
  organization_id text PRIMARY KEY REFERENCES organizations (id),
  seq bigint NOT NULL,
  hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
  organization_id text NOT NULL REFERENCES organizations (id),
  seq bigint NOT NULL,
  id text NOT NULL UNIQUE,
  type text NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'm2m_app', 'system', 'provider_event', 'directory')),
  actor_id text,
  target_type text,
  target_id text,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (organization_id, seq)
);
CREATE INDEX audit_events_type ON audit_events (organization_id, type, seq);

-- Rows are never updated or deleted, whoever asks: the trigger refuses even the table owner.
CREATE FUNCTION gatehouse_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'raise_exception';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION gatehouse_audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_audit_append_only();

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));
