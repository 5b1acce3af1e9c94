-- The audit log becomes an RFC 9162 Merkle tree per organization, appended only by the database.
--
-- Each row keeps `entry`: the exact JSON text that is hashed as the leaf, written once by
-- gatehouse_audit_integrate() and never re-derived from jsonb (jsonb reorders keys, so hashing a
-- re-serialization would not verify). leaf_hash = SHA-256(0x00 || entry).
-- audit_heads keeps, per organization, the size, the Merkle root and the frontier (the roots of
-- the perfect subtrees on the right edge), so an append costs O(log n) hashes.
--
-- Writers never choose a position or a hash. A transaction submits its entries to audit_pending
-- (gatehouse_audit_submit, committing with the change they record); gatehouse_audit_integrate
-- then moves everything pending for one organization into the tree in one transaction under one
-- lock of the head (group commit). The app role may execute these two functions and nothing
-- else writes the log: it has no INSERT, UPDATE or DELETE on the log tables (see migrator.ts).
-- The former hash chain (prev_hash, hash) stays on old rows as it was; new rows leave it empty.

-- The owner presents the bypass key (migration 0009) to backfill every organization's rows.
SELECT set_config('gatehouse.rls_bypass', (SELECT key FROM gatehouse_rls_keys LIMIT 1), true);

ALTER TABLE audit_events ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_events ADD COLUMN entry text, ADD COLUMN leaf_hash bytea;
ALTER TABLE audit_heads ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_heads ADD COLUMN root bytea, ADD COLUMN frontier bytea[] NOT NULL DEFAULT '{}';

CREATE TABLE audit_pending (
  organization_id text NOT NULL REFERENCES organizations (id),
  pending_id bigserial PRIMARY KEY,
  event jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX audit_pending_org ON audit_pending (organization_id, pending_id);
ALTER TABLE audit_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_pending
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));

-- Signed checkpoints as issued; the signature is made outside the database, which cannot forge one.
CREATE TABLE audit_checkpoints (
  organization_id text NOT NULL REFERENCES organizations (id),
  size bigint NOT NULL,
  root_hash text NOT NULL,
  issued_at text NOT NULL,
  key_id text NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (organization_id, size, issued_at)
);
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_checkpoints
  USING (gatehouse_tenant_visible(organization_id)) WITH CHECK (gatehouse_tenant_visible(organization_id));

CREATE FUNCTION gatehouse_merkle_node(l bytea, r bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT sha256('\x01'::bytea || l || r) $$;

-- Appends one leaf to a frontier of `size` leaves.
CREATE FUNCTION gatehouse_merkle_push(frontier bytea[], size bigint, leaf bytea) RETURNS bytea[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  h bytea := leaf;
  n bigint := size;
  len int := coalesce(array_length(frontier, 1), 0);
BEGIN
  WHILE n % 2 = 1 LOOP
    h := gatehouse_merkle_node(frontier[len], h);
    len := len - 1;
    n := n / 2;
  END LOOP;
  RETURN frontier[1:len] || h;
END
$$;

CREATE FUNCTION gatehouse_merkle_root(frontier bytea[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  len int := coalesce(array_length(frontier, 1), 0);
  r bytea;
BEGIN
  IF len = 0 THEN RETURN sha256(''::bytea); END IF;
  r := frontier[len];
  FOR i IN REVERSE len - 1 .. 1 LOOP
    r := gatehouse_merkle_node(frontier[i], r);
  END LOOP;
  RETURN r;
END
$$;

-- The leaf text: the submitted event with the organization, position and time the database chose.
CREATE FUNCTION gatehouse_audit_entry(org text, seq bigint, event jsonb, created_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT (event || jsonb_build_object(
    'organizationId', org,
    'seq', seq,
    'createdAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text
$$;

CREATE FUNCTION gatehouse_audit_submit(org text, event jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- The definer may bypass row-level security, so the tenant wall is checked here explicitly.
  IF NOT gatehouse_tenant_visible(org) THEN
    RAISE EXCEPTION 'audit entries of another organization refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF jsonb_typeof(event) <> 'object'
     OR NOT coalesce(event->>'type' ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$', false)
     OR NOT coalesce(event->'actor'->>'type' IN ('user', 'api_key', 'm2m_app', 'system', 'provider_event', 'directory'), false)
     OR coalesce(event->>'id', '') = ''
     OR jsonb_typeof(coalesce(event->'data', '{}')) <> 'object' THEN
    RAISE EXCEPTION 'not an audit event' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO public.audit_pending (organization_id, event) VALUES (org, event);
END
$$;

-- Moves every committed pending entry of `org` into the tree, in submission order, under the head
-- lock. Returns the new size, or NULL when nothing was pending. Concurrent callers queue on the
-- head; the one that gets it writes what all of them submitted. Any caller may integrate any
-- organization: it only files entries already committed and reveals nothing but a size, so it
-- runs past row-level security (gatehouse_audit_integrate below presents the bypass key for the
-- length of the call and puts the caller's setting back, so the key never reaches the caller) and a
-- writer can call it in one statement right after its commit.
CREATE FUNCTION gatehouse_audit_integrate_unlocked(org text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  n bigint;
  f bytea[];
  items public.audit_pending[];
  p public.audit_pending;
  e text;
  leaf bytea;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.audit_pending WHERE organization_id = org) THEN RETURN NULL; END IF;
  INSERT INTO public.audit_heads (organization_id, seq, root, frontier) VALUES (org, 0, sha256(''::bytea), '{}')
    ON CONFLICT (organization_id) DO NOTHING;
  SELECT h.seq, h.frontier INTO n, f FROM public.audit_heads h WHERE h.organization_id = org FOR UPDATE;
  WITH taken AS (DELETE FROM public.audit_pending WHERE organization_id = org RETURNING *)
    SELECT array_agg(t ORDER BY t.pending_id) INTO items FROM taken t;
  IF items IS NULL THEN RETURN NULL; END IF;
  FOREACH p IN ARRAY items LOOP
    n := n + 1;
    -- An id already in the log (a buggy or hostile writer) must not wedge every later entry.
    IF EXISTS (SELECT 1 FROM public.audit_events WHERE id = p.event->>'id') THEN
      p.event := p.event || jsonb_build_object('id', (p.event->>'id') || '_' || p.pending_id);
    END IF;
    e := gatehouse_audit_entry(org, n, p.event, p.created_at);
    leaf := sha256('\x00'::bytea || convert_to(e, 'UTF8'));
    f := gatehouse_merkle_push(f, n - 1, leaf);
    INSERT INTO public.audit_events (organization_id, seq, id, type, actor_type, actor_id, target_type, target_id,
                                     data, created_at, entry, leaf_hash)
    VALUES (org, n, p.event->>'id', p.event->>'type', p.event->'actor'->>'type', p.event->'actor'->>'id',
            p.event->'target'->>'type', p.event->'target'->>'id', coalesce(p.event->'data', '{}'), p.created_at, e, leaf);
  END LOOP;
  UPDATE public.audit_heads SET seq = n, root = gatehouse_merkle_root(f), frontier = f, hash = NULL, updated_at = now()
    WHERE organization_id = org;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION gatehouse_audit_integrate_unlocked(text) FROM PUBLIC;

CREATE FUNCTION gatehouse_audit_integrate(org text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  prior text := current_setting('gatehouse.rls_bypass', true);
  n bigint;
BEGIN
  -- On an error the (sub)transaction is rolled back and the setting with it.
  PERFORM set_config('gatehouse.rls_bypass', (SELECT key FROM public.gatehouse_rls_keys LIMIT 1), true);
  n := public.gatehouse_audit_integrate_unlocked(org);
  PERFORM set_config('gatehouse.rls_bypass', coalesce(prior, ''), true);
  RETURN n;
END
$$;

-- Existing rows get their leaf text from their columns, once, by the owner running this migration.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
UPDATE audit_events SET entry = gatehouse_audit_entry(organization_id, seq,
  jsonb_build_object('id', id, 'type', type, 'actor', jsonb_build_object('type', actor_type, 'id', actor_id),
    'target', CASE WHEN target_type IS NULL OR target_id IS NULL THEN 'null'::jsonb
                   ELSE jsonb_build_object('type', target_type, 'id', target_id) END,
    'data', data, 'prevHash', prev_hash, 'hash', hash),
  created_at);
UPDATE audit_events SET leaf_hash = sha256('\x00'::bytea || convert_to(entry, 'UTF8'));
ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
ALTER TABLE audit_events ALTER COLUMN entry SET NOT NULL, ALTER COLUMN leaf_hash SET NOT NULL;

DO $$
DECLARE
  h record;
  ev record;
  f bytea[];
  n bigint;
BEGIN
  FOR h IN SELECT organization_id FROM audit_heads LOOP
    f := '{}';
    n := 0;
    FOR ev IN SELECT leaf_hash FROM audit_events WHERE organization_id = h.organization_id ORDER BY seq LOOP
      f := gatehouse_merkle_push(f, n, ev.leaf_hash);
      n := n + 1;
    END LOOP;
    UPDATE audit_heads SET seq = n, frontier = f, root = gatehouse_merkle_root(f) WHERE organization_id = h.organization_id;
  END LOOP;
END
$$;
ALTER TABLE audit_heads ALTER COLUMN root SET NOT NULL;
