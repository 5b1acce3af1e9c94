-- One-time sign-in codes of the built-in email provider (AUTH_PROVIDER=local). Only an HMAC of
-- the code is kept (keyed by GATEHOUSE_SECRET and bound to the email), so a reader of the
-- database cannot sign anyone in. The rows are also what the per-email and per-source request
-- limits count. Not tenant data: a code exists before anyone knows which organization it opens.
CREATE TABLE email_sign_in_codes (
  id text PRIMARY KEY,
  email text NOT NULL,
  code_hash text NOT NULL,
  source_address text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  ended_reason text CHECK (ended_reason IN ('used', 'superseded', 'too_many_attempts'))
);
CREATE INDEX email_sign_in_codes_email ON email_sign_in_codes (email, created_at);
CREATE INDEX email_sign_in_codes_source ON email_sign_in_codes (source_address, created_at);
