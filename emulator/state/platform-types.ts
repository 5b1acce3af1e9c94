// Wire shapes of the environment-level features beyond users, organizations, SSO and directories:
// CORS origins, API keys, groups, feature flags, audit-log schemas and exports, authorization
// resources and device authorization. Same rule as `types.ts`: what WorkOS shows, nothing private.
import type { Iso, PendingSignIn } from './types.ts';

export interface CorsOriginWire {
  object: 'cors_origin';
  id: string;
  origin: string;
  created_at: Iso;
  updated_at: Iso;
}

/** A kept answer to a POST with an `Idempotency-Key` (http/idempotency.ts); private, never listed. */
export interface IdempotentAnswer {
  /** sha256 of the request body: the same key with another body is refused. */
  fingerprint: string;
  status: number;
  contentType: string | null;
  body: string;
  atMs: number;
}

export type ApiKeyOwner = { type: 'organization'; id: string } | { type: 'user'; id: string; organization_id: string };

export interface ApiKeyWire {
  object: 'api_key';
  id: string;
  owner: ApiKeyOwner;
  name: string;
  obfuscated_value: string;
  last_used_at: Iso | null;
  permissions: string[];
  created_at: Iso;
  updated_at: Iso;
}

/** An API key with the hash of its value (the value itself is shown once, at creation). */
export interface ApiKeyRecord {
  wire: ApiKeyWire;
  value_hash: string;
}

export interface FeatureFlagWire {
  object: 'feature_flag';
  id: string;
  slug: string;
  name: string;
  description: string | null;
  owner: { email: string; first_name: string | null; last_name: string | null } | null;
  tags: string[];
  enabled: boolean;
  default_value: boolean;
  created_at: Iso;
  updated_at: Iso;
}

export interface AuditLogSchemaWire {
  object: 'audit_log_schema';
  version: number;
  actor?: { metadata: Record<string, unknown> };
  targets: Array<{ type: string; metadata?: Record<string, unknown> }>;
  metadata?: Record<string, unknown>;
  created_at: Iso;
}

export interface AuditLogActionRecord {
  name: string;
  schemas: AuditLogSchemaWire[];
  created_at: Iso;
  updated_at: Iso;
}

export interface AuditLogEventRecord {
  id: string;
  organization_id: string;
  event: Record<string, unknown> & { action: string; occurred_at: string };
}

export interface AuditLogExportWire {
  object: 'audit_log_export';
  id: string;
  state: 'pending' | 'ready' | 'error';
  url: string | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface JwtTemplateWire {
  object: 'jwt_template';
  content: string;
  created_at: Iso;
  updated_at: Iso;
}

/** An organization's own group of members (not a directory group: these are managed by the app). */
export interface GroupWire {
  object: 'group';
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  created_at: Iso;
  updated_at: Iso;
}

/** An instance of a resource type in an organization's authorization tree (fine-grained authorization). */
export interface AuthorizationResourceWire {
  object: 'authorization_resource';
  id: string;
  external_id: string;
  name: string;
  description: string | null;
  resource_type_slug: string;
  organization_id: string;
  /** Null for a top-level resource: its parent is the organization itself. */
  parent_resource_id: string | null;
  created_at: Iso;
  updated_at: Iso;
}

/** A role granted to an organization membership on one resource (or on the organization itself). */
export interface RoleAssignmentRecord {
  id: string;
  organization_membership_id: string;
  role_slug: string;
  /** An `authz_resource_…` id, or the organization id for an assignment on the organization. */
  resource_id: string;
  created_at: Iso;
  updated_at: Iso;
}

/** An RFC 8628 device authorization in flight; only hashes of the codes are kept. */
export interface DeviceAuthorizationRecord {
  id: string;
  client_id: string;
  device_code_hash: string;
  /** Normalized (upper case, no dash): what a person types on the verification page. */
  user_code: string;
  expires_at_ms: number;
  interval_s: number;
  /** When the client last polled, to answer `slow_down` to a client polling faster than `interval_s`. */
  last_poll_ms: number | null;
  state: 'pending' | 'approved' | 'denied' | 'redeemed';
  /** The sign-in finished on the verification page, waiting for the person to allow or deny. */
  sign_in: PendingSignIn | null;
  /** sha256 of the single-use token the confirmation page carries (binds allow/deny to that page). */
  confirm_token_hash: string | null;
}

export interface RadarAttemptRecord {
  id: string;
  email: string;
  ip_address: string;
  verdict: 'allow' | 'block' | 'challenge';
  attempt_status: 'pending' | 'success';
  challenge_status: 'pending' | 'success';
  created_at: Iso;
}

/** A WorkOS Connect application: OAuth (first or third party) or machine-to-machine. */
export interface ConnectApplicationWire {
  object: 'connect_application';
  id: string;
  client_id: string;
  name: string;
  description: string | null;
  scopes: string[];
  application_type: 'oauth' | 'm2m';
  /** OAuth only. */
  redirect_uris?: Array<{ uri: string; default: boolean }>;
  uses_pkce?: boolean;
  is_first_party?: boolean;
  was_dynamically_registered?: boolean;
  /** M2M and third-party OAuth applications belong to an organization. */
  organization_id?: string;
  created_at: Iso;
  updated_at: Iso;
}

/** A client secret of a Connect application; the secret itself is shown once, only its hash is kept. */
export interface ConnectSecretRecord {
  object: 'connect_application_secret';
  id: string;
  application_id: string;
  secret_hash: string;
  secret_hint: string;
  last_used_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

/** A pending change of a user's email: a code mailed to the new address; only its hash is kept. */
export interface EmailChangeRecord {
  user_id: string;
  new_email: string;
  code_hash: string;
  expires_at: Iso;
  attempts: number;
  used: boolean;
  created_at: Iso;
}
