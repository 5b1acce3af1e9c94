-- Row-level security bypass the app role cannot switch on. Until now a system transaction set
-- gatehouse.rls_bypass = 'on', which any statement running as the app role could set too (an SQL
-- injection would lift tenant isolation). The bypass now needs a random key kept in a table only
-- the owner reads; the application learns it through its owner connection at start and presents
-- it in system transactions. The check runs as the owner (SECURITY DEFINER) and only when a key
-- was presented, so tenant transactions pay nothing.
CREATE TABLE gatehouse_rls_keys (key text NOT NULL);
INSERT INTO gatehouse_rls_keys (key)
  VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
REVOKE ALL ON gatehouse_rls_keys FROM PUBLIC;

CREATE FUNCTION gatehouse_rls_bypassed() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  presented text := current_setting('gatehouse.rls_bypass', true);
BEGIN
  IF presented IS NULL OR length(presented) < 32 THEN
    RETURN false;
  END IF;
  RETURN EXISTS (SELECT 1 FROM gatehouse_rls_keys WHERE key = presented);
END
$$;

CREATE OR REPLACE FUNCTION gatehouse_tenant_visible(org text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT org = nullif(current_setting('gatehouse.organization_id', true), '') OR gatehouse_rls_bypassed()
$$;

-- Provider outage grace: a session whose refresh could not reach the provider keeps working for
-- SESSION_PROVIDER_OUTAGE_GRACE_SECONDS from the first failed attempt; retries back off until
-- provider_retry_at. Both clear on the next successful refresh.
ALTER TABLE sessions ADD COLUMN provider_unreachable_since timestamptz;
ALTER TABLE sessions ADD COLUMN provider_retry_at timestamptz;
