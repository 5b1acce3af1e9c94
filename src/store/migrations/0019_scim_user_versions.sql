-- Creates of different SCIM users no longer queue on their directory's version row: a create
-- stamps only its own new rows (scim_users.updated_at is the version its mirror rows carry). Every
-- other SCIM write still moves scim_directories.version_at forward, past the newest user version
-- too; this index makes that newest version one index probe instead of a scan of the directory.
CREATE INDEX scim_users_updated ON scim_users (directory_id, updated_at);
