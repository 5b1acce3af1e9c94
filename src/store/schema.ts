// Row types of every table, as Kysely sees them. `XRow` is what a select returns; Generated<>
// marks columns the database fills in. Keep in step with src/store/migrations/.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** Columns every mirrored row carries (DESIGN.md §3.3). */
interface Mirrored {
  provider_updated_at: Timestamp | null;
  last_event_id: string | null;
}

export interface OrganizationsTable extends Mirrored {
  id: string;
  name: string;
  external_id: string | null;
  default_role_slug: Generated<string>;
  domain_auto_join: Generated<boolean>;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type DomainState = 'pending' | 'verified' | 'failed' | 'legacy_verified';
export interface OrganizationDomainsTable extends Mirrored {
  organization_id: string;
  id: string;
  domain: string;
  state: DomainState;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface UsersTable extends Mirrored {
  id: string;
  email: string;
  email_verified: Generated<boolean>;
  first_name: string | null;
  last_name: string | null;
  external_id: string | null;
  last_sign_in_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PermissionsTable {
  slug: string;
  description: string;
}

export interface RolesTable {
  slug: string;
  name: string;
  description: Generated<string>;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OrganizationRolesTable extends Mirrored {
  organization_id: string;
  slug: string;
  name: string;
  description: Generated<string>;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type MembershipStatus = 'pending' | 'active' | 'inactive';
export type MembershipSource = 'invitation' | 'directory' | 'jit' | 'manual';
export interface OrganizationMembershipsTable extends Mirrored {
  organization_id: string;
  id: string;
  user_id: string;
  role_slug: string;
  status: MembershipStatus;
  source: MembershipSource;
  last_sign_in_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_sso_sign_in_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Who set the role: the provider, an admin by hand, or a directory group mapping (0008). */
  role_source: Generated<RoleSource>;
  /** The role held before a group mapping took over, restored when no mapping covers the member. */
  role_before_mapping: ColumnType<string | null, string | null | undefined, string | null>;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type RoleSource = 'provider' | 'manual' | 'mapping';

export interface AuditHeadsTable {
  organization_id: string;
  seq: ColumnType<number, number, number>;
  /** The former hash chain's head; empty since the Merkle log (migration 0010). */
  hash: string | null;
  /** Merkle root (RFC 9162) of the first `seq` entries, and the right-edge subtree roots. */
  root: Buffer;
  frontier: Buffer[];
  updated_at: UpdatedAt;
}

/** Entries submitted in a committed transaction, waiting for gatehouse_audit_integrate(). */
export interface AuditPendingTable {
  organization_id: string;
  pending_id: Generated<number>;
  event: ColumnType<Record<string, unknown>, string, never>;
  created_at: Generated<Date>;
}

export interface AuditCheckpointsTable {
  organization_id: string;
  size: number;
  root_hash: string;
  issued_at: string;
  key_id: string;
  signature: string;
}

export type AuditActorType = 'user' | 'api_key' | 'm2m_app' | 'system' | 'provider_event' | 'directory';
export interface AuditEventsTable {
  organization_id: string;
  seq: ColumnType<number, number, never>;
  id: string;
  type: string;
  actor_type: AuditActorType;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  data: ColumnType<Record<string, unknown>, string, never>;
  created_at: ColumnType<Date, Date | string, never>;
  /** The former hash chain, kept on rows written before the Merkle log; null on later rows. */
  prev_hash: string | null;
  hash: string | null;
  /** The exact leaf text hashed into the tree, and SHA-256(0x00 || entry). */
  entry: string;
  leaf_hash: Buffer;
}

export interface SessionsTable {
  organization_id: string;
  id: string;
  user_id: string;
  workos_session_id: string | null;
  auth_method: string;
  role: string;
  secret_hash: string;
  key_id: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_token_expires_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
  idle_expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  // Migration 0007: the sign-in's SSO connection and its organization, and the impersonator.
  sso_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
  sso_organization_id: ColumnType<string | null, string | null | undefined, string | null>;
  impersonator_email: ColumnType<string | null, string | null | undefined, string | null>;
  impersonator_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** Provider outage grace (migration 0009): first failed refresh, and when to retry. */
  provider_unreachable_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  provider_retry_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ApiKeysTable {
  organization_id: string;
  id: string;
  name: string;
  environment: 'live' | 'test';
  display_prefix: string;
  secret_hash: string;
  role: string;
  owner_user_id: string | null;
  created_by: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  /** Migration 0007: the SSO connection of the sign-in that minted the key, if any. */
  sso_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
}

// Webhooks and directory sync (migration 0005).
export interface WebhookEventsTable {
  id: string;
  type: string;
  organization_id: string | null;
  payload: ColumnType<unknown, string, string>;
  provider_created_at: Timestamp;
  source: 'webhook' | 'events_api';
  /** Null while the event waits in the apply queue. */
  outcome: 'applied' | 'stale' | 'unhandled' | null;
  received_at: CreatedAt;
  status: ColumnType<
    'pending' | 'applied' | 'failed',
    'pending' | 'applied' | 'failed' | undefined,
    'pending' | 'applied' | 'failed'
  >;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  applied_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface DirectoriesTable extends Mirrored {
  organization_id: string;
  id: string;
  name: string;
  type: string;
  state: string;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DirectoryUsersTable extends Mirrored {
  organization_id: string;
  id: string;
  directory_id: string;
  idp_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  state: string;
  user_id: string | null;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DirectoryGroupsTable extends Mirrored {
  organization_id: string;
  id: string;
  directory_id: string;
  idp_id: string;
  name: string;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DirectoryGroupMembersTable extends Mirrored {
  organization_id: string;
  group_id: string;
  directory_user_id: string;
  directory_id: string;
  present: boolean;
  updated_at: UpdatedAt;
}

export interface DirectoryGroupRoleMappingsTable {
  organization_id: string;
  directory_group_id: string;
  role_slug: string;
  priority: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface InvitationsTable extends Mirrored {
  organization_id: string;
  id: string;
  email: string;
  state: string;
  role_slug: string | null;
  accepted_user_id: string | null;
  expires_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SsoConnectionsTable extends Mirrored {
  organization_id: string;
  id: string;
  connection_type: string;
  name: string | null;
  state: string;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MailOutboxTable {
  id: string;
  event_id: string | null;
  to_address: string;
  template: string;
  reference: string | null;
  status: 'pending' | 'sent' | 'dev' | 'failed';
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

export interface SyncCursorsTable {
  name: string;
  cursor: string | null;
  last_run_at: Timestamp | null;
  last_report: ColumnType<unknown, string | null, string | null>;
  updated_at: UpdatedAt;
}

// SSO configuration per organization (migration 0004).
export interface SsoConfigsTable {
  organization_id: string;
  enabled: Generated<boolean>;
  enforced: Generated<boolean>;
  connection_id: string | null;
  provider: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One-time codes of the built-in email sign-in (AUTH_PROVIDER=local); only their HMAC. */
export interface EmailSignInCodesTable {
  id: string;
  email: string;
  code_hash: string;
  source_address: string | null;
  attempts: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  ended_reason: 'used' | 'superseded' | 'too_many_attempts' | null;
}

/** Direct OIDC connections (AUTH_PROVIDER=oidc, 0016); the secret is token-vault ciphertext. */
export interface OidcConnectionsTable {
  organization_id: string;
  id: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OidcConnectionDomainsTable {
  domain: string;
  organization_id: string;
  connection_id: string;
  created_at: CreatedAt;
}

export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  connection_id: string;
  created_at: CreatedAt;
  last_sign_in_at: Timestamp | null;
}

export interface Database {
  organizations: OrganizationsTable;
  organization_domains: OrganizationDomainsTable;
  users: UsersTable;
  permissions: PermissionsTable;
  roles: RolesTable;
  organization_roles: OrganizationRolesTable;
  organization_memberships: OrganizationMembershipsTable;
  audit_heads: AuditHeadsTable;
  audit_events: AuditEventsTable;
  audit_pending: AuditPendingTable;
  audit_checkpoints: AuditCheckpointsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  sso_configs: SsoConfigsTable;
  webhook_events: WebhookEventsTable;
  directories: DirectoriesTable;
  directory_users: DirectoryUsersTable;
  directory_groups: DirectoryGroupsTable;
  directory_group_members: DirectoryGroupMembersTable;
  directory_group_role_mappings: DirectoryGroupRoleMappingsTable;
  invitations: InvitationsTable;
  sso_connections: SsoConnectionsTable;
  mail_outbox: MailOutboxTable;
  sync_cursors: SyncCursorsTable;
  superadmin_entries: SuperadminEntriesTable;
  email_sign_in_codes: EmailSignInCodesTable;
  scim_directories: ScimDirectoriesTable;
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  oidc_connections: OidcConnectionsTable;
  oidc_connection_domains: OidcConnectionDomainsTable;
  oidc_identities: OidcIdentitiesTable;
}

// The SCIM 2.0 server's own directories, tokens and resources (migration 0015, src/scim/).
export interface ScimDirectoriesTable {
  organization_id: string;
  id: string;
  name: string;
  version_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ScimTokensTable {
  token_hash: string;
  organization_id: string;
  directory_id: string;
  id: string;
  display_prefix: string;
  created_at: CreatedAt;
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ScimUsersTable {
  organization_id: string;
  directory_id: string;
  id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  resource: ColumnType<Record<string, unknown>, string, string>;
  version: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ScimGroupsTable {
  organization_id: string;
  directory_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  resource: ColumnType<Record<string, unknown>, string, string>;
  version: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** A super-admin's explicit entry into another tenant (0008). */
export interface SuperadminEntriesTable {
  organization_id: string;
  user_id: string;
  session_key: string;
  entered_at: CreatedAt;
  expires_at: Date;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type NewOrganizationRow = Insertable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;
export type MembershipRow = Selectable<OrganizationMembershipsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type SsoConfigRow = Selectable<SsoConfigsTable>;
