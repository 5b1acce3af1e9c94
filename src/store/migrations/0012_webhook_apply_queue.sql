-- The inbox as a queue: a receiver that acknowledges on the durable row alone stores the event as
-- `pending`; workers on every instance claim pending events per organization, apply a batch in
-- one transaction and mark them `applied` (with the outcome), or after repeated failures park them
-- as `failed` with the error for an operator. Rows from before are applied.
ALTER TABLE webhook_events ADD COLUMN status text NOT NULL DEFAULT 'applied' CHECK (status IN ('pending', 'applied', 'failed'));
ALTER TABLE webhook_events ALTER COLUMN outcome DROP NOT NULL;
ALTER TABLE webhook_events ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE webhook_events ADD COLUMN last_error text;
ALTER TABLE webhook_events ADD COLUMN next_attempt_at timestamptz;
ALTER TABLE webhook_events ADD COLUMN applied_at timestamptz;
CREATE INDEX webhook_events_pending ON webhook_events (organization_id, provider_created_at, id) WHERE status = 'pending';
