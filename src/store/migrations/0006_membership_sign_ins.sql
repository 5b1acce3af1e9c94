-- When each member last signed in, and last signed in through the organization's SSO connection.
-- The SSO enforcement preview lists members with no SSO sign-in: enforcing would lock them out.
ALTER TABLE organization_memberships ADD COLUMN last_sign_in_at timestamptz;
ALTER TABLE organization_memberships ADD COLUMN last_sso_sign_in_at timestamptz;
