// Entities as WorkOS puts them on the wire (snake_case, field names from @workos/openapi-spec).
// The state layer stores exactly these shapes so services can return them without mapping;
// anything WorkOS never shows (password hashes, SCIM tokens, code verifiers) lives in the
// separate `Private*` records below, never on a wire object.

export type Iso = string;
export type Metadata = Record<string, string>;

export interface UserWire {
  object: 'user';
  id: string;
  first_name: string | null;
  last_name: string | null;
  /** Full name (v11 SDK); not in the spec's schema, which allows extra fields. */
  name: string | null;
  profile_picture_url: string | null;
  email: string;
  email_verified: boolean;
  external_id: string | null;
  metadata: Metadata;
  last_sign_in_at: Iso | null;
  locale: string | null;
  created_at: Iso;
  updated_at: Iso;
}

export type DomainState = 'failed' | 'legacy_verified' | 'pending' | 'unverified' | 'verified';

export interface OrganizationDomainWire {
  object: 'organization_domain';
  id: string;
  organization_id: string;
  domain: string;
  state: DomainState;
  verification_prefix: string;
  verification_token: string;
  verification_strategy: 'dns' | 'manual';
  created_at: Iso;
  updated_at: Iso;
}

/** Stored without `domains`: those live in `world.organizationDomains` and are joined on read. */
export interface OrganizationWire {
  object: 'organization';
  id: string;
  name: string;
  metadata: Metadata;
  external_id: string | null;
  allow_profiles_outside_organization: boolean;
  created_at: Iso;
  updated_at: Iso;
}

export type MembershipStatus = 'active' | 'inactive' | 'pending';

/** Stored without the joined `user` and `organization_name`. */
export interface MembershipWire {
  object: 'organization_membership';
  id: string;
  user_id: string;
  organization_id: string;
  status: MembershipStatus;
  role: { slug: string };
  roles: Array<{ slug: string }>;
  directory_managed: boolean;
  custom_attributes: Record<string, unknown>;
  created_at: Iso;
  updated_at: Iso;
}

export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface InvitationWire {
  object: 'invitation';
  id: string;
  email: string;
  state: InvitationState;
  accepted_at: Iso | null;
  revoked_at: Iso | null;
  expires_at: Iso;
  organization_id: string | null;
  inviter_user_id: string | null;
  accepted_user_id: string | null;
  role_slug: string | null;
  token: string;
  accept_invitation_url: string;
  created_at: Iso;
  updated_at: Iso;
}

export type RoleType = 'EnvironmentRole' | 'OrganizationRole';

export interface RoleWire {
  object: 'role';
  id: string;
  slug: string;
  name: string;
  description: string | null;
  type: RoleType;
  resource_type_slug: string;
  permissions: string[];
  created_at: Iso;
  updated_at: Iso;
}

export interface PermissionWire {
  object: 'permission';
  id: string;
  slug: string;
  name: string;
  description: string | null;
  system: boolean;
  resource_type_slug: string;
  created_at: Iso;
  updated_at: Iso;
}

export type AuthMethod =
  | 'cross_app_auth'
  | 'external_auth'
  | 'impersonation'
  | 'magic_code'
  | 'migrated_session'
  | 'oauth'
  | 'passkey'
  | 'password'
  | 'sso'
  | 'unknown';

export interface SessionWire {
  object: 'session';
  id: string;
  impersonator?: { email: string; reason: string | null };
  ip_address: string | null;
  organization_id?: string;
  user_agent: string | null;
  user_id: string;
  auth_method: AuthMethod;
  status: 'active' | 'expired' | 'revoked';
  expires_at: Iso;
  ended_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export type ConnectionState = 'requires_type' | 'draft' | 'active' | 'validating' | 'inactive' | 'deleting';

export interface ConnectionWire {
  object: 'connection';
  id: string;
  organization_id: string;
  connection_type: string;
  name: string;
  state: ConnectionState;
  status: 'linked' | 'unlinked';
  domains: Array<{ id: string; object: 'connection_domain'; domain: string }>;
  /** Omitted unless set: the spec then requires provider fields (e.g. `signing_cert`). */
  options?: Record<string, unknown>;
  created_at: Iso;
  updated_at: Iso;
}

export interface DirectoryWire {
  object: 'directory';
  id: string;
  organization_id: string;
  external_key: string;
  type: string;
  state: 'linked' | 'validating' | 'invalid_credentials' | 'unlinked' | 'deleting';
  name: string;
  domain?: string;
  metadata?: Record<string, unknown>;
  created_at: Iso;
  updated_at: Iso;
}

/** Stored without `groups`: membership lives in `world.groupMembers` and is joined on read. */
export interface DirectoryUserWire {
  object: 'directory_user';
  id: string;
  directory_id: string;
  organization_id: string;
  idp_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  name?: string | null;
  emails: Array<{ primary: boolean; type: string; value: string }>;
  job_title?: string | null;
  username: string | null;
  state: 'active' | 'suspended' | 'inactive';
  raw_attributes: Record<string, unknown>;
  custom_attributes: Record<string, unknown>;
  role?: { slug: string };
  created_at: Iso;
  updated_at: Iso;
}

export interface DirectoryGroupWire {
  object: 'directory_group';
  id: string;
  idp_id: string;
  directory_id: string;
  organization_id: string;
  name: string;
  raw_attributes: Record<string, unknown>;
  created_at: Iso;
  updated_at: Iso;
}

export interface WebhookEndpointWire {
  object: 'webhook_endpoint';
  id: string;
  endpoint_url: string;
  secret: string;
  status: 'enabled' | 'disabled';
  events: string[];
  created_at: Iso;
  updated_at: Iso;
}

export interface RedirectUriWire {
  object: 'redirect_uri';
  id: string;
  uri: string;
  default: boolean;
  created_at: Iso;
  updated_at: Iso;
}

export interface EventWire {
  object: 'event';
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: Iso;
  context: Record<string, unknown>;
}

export interface M2MApplication {
  id: string;
  name: string;
  client_id: string;
  /** Hash of the client secret; the plain secret is shown once at creation. */
  client_secret_hash: string;
  organization_id: string;
  scopes: string[];
  created_at: Iso;
}

export type EmailKind = 'magic_auth' | 'invitation' | 'password_reset' | 'email_verification' | 'email_change';

/** An email the real service would have sent; tests and the hosted pages read them here. */
export interface OutboxEmail {
  id: string;
  kind: EmailKind;
  to: string;
  subject: string;
  text: string;
  /** Machine-readable payload (code, token, url) so tests need not parse `text`. */
  data: Record<string, string>;
  created_at: Iso;
}

// ---- private records: state WorkOS keeps but never returns -------------------------------

export interface OneTimeCode {
  id: string;
  user_id: string;
  email: string;
  code: string;
  expires_at: Iso;
  created_at: Iso;
  updated_at: Iso;
  used: boolean;
  attempts: number;
}

export interface PasswordResetRecord {
  id: string;
  user_id: string;
  email: string;
  token: string;
  expires_at: Iso;
  created_at: Iso;
  used: boolean;
}

/** What an authorization code or a pending authentication stands for once redeemed. */
export interface PendingSignIn {
  user_id: string;
  organization_id: string | null;
  auth_method: AuthMethod;
  authentication_method: string;
  impersonator?: { email: string; reason: string | null };
  /** Set when the sign-in went through an SSO connection (for `/sso/profile`). */
  connection_id?: string;
  /** Set once a second factor was verified for this sign-in. */
  mfa_verified?: boolean;
  /**
   * Set when an SSO profile's email is outside the organization's verified domains: the IdP's
   * word is no proof of the inbox, so the email must be verified before the sign-in completes.
   */
  email_unproven?: boolean;
}

export interface AuthorizationCode extends PendingSignIn {
  code: string;
  client_id: string;
  redirect_uri: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: Iso;
  used: boolean;
}

export interface PendingAuthentication extends PendingSignIn {
  token: string;
  expires_at: Iso;
}

export interface RefreshTokenRecord {
  token: string;
  session_id: string;
  user_id: string;
  organization_id: string | null;
  revoked: boolean;
  created_at: Iso;
}

/** A sign-in at the test identity provider, exchanged at `/sso/token` for a profile. */
export interface SsoGrant {
  code: string;
  connection_id: string;
  organization_id: string;
  client_id: string;
  redirect_uri: string;
  profile: Record<string, unknown>;
  code_challenge?: string | null;
  code_challenge_method?: string | null;
  expires_at: Iso;
  used: boolean;
}

export interface SsoAccessToken {
  token: string;
  profile: Record<string, unknown>;
  expires_at: Iso;
}

/** A TOTP factor; `secret` is base32 as authenticator apps take it. */
export interface AuthFactorRecord {
  id: string;
  /** Null for a standalone factor (`POST /auth/factors/enroll` without `user_id`). */
  user_id: string | null;
  type: 'totp';
  issuer: string;
  user: string;
  secret: string;
  created_at: Iso;
  updated_at: Iso;
}

export interface AuthChallengeRecord {
  id: string;
  authentication_factor_id: string;
  expires_at: Iso;
  created_at: Iso;
  updated_at: Iso;
  attempts: number;
  verified: boolean;
}

/** Environment-wide switches an AuthKit dashboard would hold. */
export interface EnvironmentSettings {
  /** Every password/magic-code sign-in must pass a second factor (users without one enroll). */
  mfa_required: boolean;
  /**
   * Whether the hosted sign-in asks a member of several organizations to pick one (as hosted
   * AuthKit can). Off, it returns to the app without one, and the code exchange answers
   * `organization_selection_required` so the app shows its own picker.
   */
  hosted_organization_selection: boolean;
}

export interface PortalLink {
  token: string;
  organization_id: string;
  intent: string;
  return_url: string | null;
  success_url: string | null;
  expires_at: Iso;
}
