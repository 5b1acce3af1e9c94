-- What a session's sign-in was, beyond its method: the SSO connection it came through and the
-- organization that connection belongs to (a session counts as SSO for an organization only when
-- it came through that organization's own connection, also after switching organizations), and
-- the WorkOS admin impersonating the user, if any.
ALTER TABLE sessions ADD COLUMN sso_connection_id text;
ALTER TABLE sessions ADD COLUMN sso_organization_id text;
ALTER TABLE sessions ADD COLUMN impersonator_email text;
ALTER TABLE sessions ADD COLUMN impersonator_reason text;
-- The SSO connection of the sign-in that minted an API key: while its organization enforces SSO,
-- a key is honoured only if it was minted from a sign-in through that organization's connection.
ALTER TABLE api_keys ADD COLUMN sso_connection_id text;
