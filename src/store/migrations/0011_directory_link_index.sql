-- A Gatehouse user's events look up the directory users waiting for it by email, tombstones and
-- suspended ones included (their deprovisioning applies when the link appears): the existing email
-- index covers live rows only.
CREATE INDEX directory_users_unlinked_email ON directory_users (lower(email)) WHERE user_id IS NULL;
