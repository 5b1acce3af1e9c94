// The emulator's whole in-memory world: every entity WorkOS keeps for one environment, the
// outbox of emails it would send, and the event log. Services mutate the maps directly and call
// `emit` for every change WorkOS would announce; `emit` is the ONLY way an event enters the log,
// so the Events API, webhook delivery and tests all see the same sequence.
import { createClock, type Clock } from './clock.ts';
import { createIdFactory, type IdFactory } from './ids.ts';
import type {
  AuthChallengeRecord,
  AuthFactorRecord,
  AuthorizationCode,
  EnvironmentSettings,
  ConnectionWire,
  DirectoryGroupWire,
  DirectoryUserWire,
  DirectoryWire,
  EmailKind,
  EventWire,
  InvitationWire,
  M2MApplication,
  MembershipWire,
  OneTimeCode,
  OrganizationDomainWire,
  OrganizationWire,
  OutboxEmail,
  PasswordResetRecord,
  PendingAuthentication,
  PermissionWire,
  PortalLink,
  RedirectUriWire,
  RefreshTokenRecord,
  RoleWire,
  SessionWire,
  SsoAccessToken,
  SsoGrant,
  UserWire,
  WebhookEndpointWire,
} from './types.ts';
import type {
  ApiKeyRecord,
  AuditLogActionRecord,
  AuditLogEventRecord,
  AuditLogExportWire,
  CorsOriginWire,
  FeatureFlagWire,
  GroupWire,
  IdempotentAnswer,
  JwtTemplateWire,
  AuthorizationResourceWire,
  RoleAssignmentRecord,
  DeviceAuthorizationRecord,
  RadarAttemptRecord,
  ConnectApplicationWire,
  ConnectSecretRecord,
  EmailChangeRecord,
} from './platform-types.ts';

export type EventListener = (event: EventWire) => void;

export interface WorldOptions {
  clock?: Clock;
}

export class World {
  readonly clock: Clock;
  readonly ids: IdFactory;

  // user management
  readonly users = new Map<string, UserWire>();
  /** userId -> scrypt hash (see password.ts); users without a password are absent. */
  readonly passwordHashes = new Map<string, string>();
  readonly memberships = new Map<string, MembershipWire>();
  readonly invitations = new Map<string, InvitationWire>();
  readonly sessions = new Map<string, SessionWire>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly authorizationCodes = new Map<string, AuthorizationCode>();
  readonly pendingAuthentications = new Map<string, PendingAuthentication>();
  readonly magicAuths = new Map<string, OneTimeCode>();
  readonly emailVerifications = new Map<string, OneTimeCode>();
  readonly passwordResets = new Map<string, PasswordResetRecord>();
  readonly authFactors = new Map<string, AuthFactorRecord>();
  readonly authChallenges = new Map<string, AuthChallengeRecord>();
  readonly settings: EnvironmentSettings = { mfa_required: false, hosted_organization_selection: true };

  // organizations and authorization
  readonly organizations = new Map<string, OrganizationWire>();
  readonly organizationDomains = new Map<string, OrganizationDomainWire>();
  /** Keyed by role id. Environment roles have no organization (see `roleOrganization`). */
  readonly roles = new Map<string, RoleWire>();
  /** roleId -> organization id for organization roles; environment roles are absent. */
  readonly roleOrganization = new Map<string, string>();
  readonly permissions = new Map<string, PermissionWire>();

  // SSO and directory sync
  readonly connections = new Map<string, ConnectionWire>();
  readonly ssoGrants = new Map<string, SsoGrant>();
  readonly ssoAccessTokens = new Map<string, SsoAccessToken>();
  readonly directories = new Map<string, DirectoryWire>();
  /** directoryId -> SCIM bearer token (plain: the emulator shows it to the IT admin again). */
  readonly scimTokens = new Map<string, string>();
  readonly directoryUsers = new Map<string, DirectoryUserWire>();
  readonly directoryGroups = new Map<string, DirectoryGroupWire>();
  /** directoryGroupId -> ids of the directory users in it. */
  readonly groupMembers = new Map<string, Set<string>>();

  // machines, webhooks, portal
  readonly m2mApplications = new Map<string, M2MApplication>();
  readonly webhookEndpoints = new Map<string, WebhookEndpointWire>();
  /** AuthKit redirect URIs; while empty, any redirect URI is accepted (convenient for tests). */
  readonly redirectUris = new Map<string, RedirectUriWire>();
  readonly portalLinks = new Map<string, PortalLink>();
  /** Browser origins allowed to call the API (CORS). */
  readonly corsOrigins = new Map<string, CorsOriginWire>();
  /** Answers kept per Idempotency-Key scope (see http/idempotency.ts). */
  readonly idempotency = new Map<string, IdempotentAnswer>();
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  /** Keyed by slug; targets: slug -> organization and user ids the flag is switched on for. */
  readonly featureFlags = new Map<string, FeatureFlagWire>();
  readonly featureFlagTargets = new Map<string, Set<string>>();
  /** Keyed by action name. */
  readonly auditLogActions = new Map<string, AuditLogActionRecord>();
  readonly auditLogEvents = new Map<string, AuditLogEventRecord>();
  readonly auditLogExports = new Map<string, AuditLogExportWire>();
  /** Export id -> the filters it was created with (WorkOS does not show them). */
  readonly auditLogExportFilters = new Map<string, Record<string, unknown>>();
  /** organization id -> retention in days. */
  readonly auditLogRetention = new Map<string, number>();
  readonly groups = new Map<string, GroupWire>();
  /** Single-use SSO logout tokens -> the profile they log out. */
  readonly ssoLogoutTokens = new Map<string, { profile_id: string; expires_at: string }>();
  /** group id -> organization membership ids in it. */
  readonly groupMemberships = new Map<string, Set<string>>();
  /** At most one entry, `current`: the environment's access-token template. */
  readonly jwtTemplate = new Map<string, JwtTemplateWire>();
  readonly authorizationResources = new Map<string, AuthorizationResourceWire>();
  readonly roleAssignments = new Map<string, RoleAssignmentRecord>();
  /** Resource types declared through the control surface or a seed (slug -> allowed parent type slugs). */
  readonly resourceTypes = new Map<string, string[]>();
  readonly deviceAuthorizations = new Map<string, DeviceAuthorizationRecord>();
  readonly radarAttempts = new Map<string, RadarAttemptRecord>();
  /** `<type>:<action>` (e.g. `email:block`) -> the entries of that Radar list. */
  readonly radarLists = new Map<string, Set<string>>();
  readonly connectApplications = new Map<string, ConnectApplicationWire>();
  readonly connectSecrets = new Map<string, ConnectSecretRecord>();
  /** user id -> the user's pending email change (a new request replaces the old one). */
  readonly emailChanges = new Map<string, EmailChangeRecord>();

  // what the outside world would have observed
  readonly outbox: OutboxEmail[] = [];
  readonly events: EventWire[] = [];

  readonly #listeners = new Set<EventListener>();
  /** Context every event carries (the emulator sets the AuthKit `client_id`). */
  readonly eventContext: Record<string, unknown> = {};

  constructor(options: WorldOptions = {}) {
    this.clock = options.clock ?? createClock();
    this.ids = createIdFactory(() => this.clock.nowMs());
  }

  now(): Date {
    return this.clock.now();
  }

  nowIso(): string {
    return this.clock.nowIso();
  }

  /** A new WorkOS-style id, e.g. `newId('user')` -> `user_01…`. */
  newId(prefix: string): string {
    return this.ids.next(prefix);
  }

  /**
   * Appends an event to the log and tells every subscriber. `data` is deep-copied so later
   * mutations of the entity never rewrite history. A throwing listener is reported and skipped:
   * a broken subscriber must not undo a change that already happened.
   */
  emit(type: string, data: object, context: Record<string, unknown> = {}): EventWire {
    const event: EventWire = {
      object: 'event',
      id: this.newId('event'),
      event: type,
      data: structuredClone(data) as Record<string, unknown>,
      created_at: this.nowIso(),
      // WorkOS events carry a context object (actor, client id…), empty when it has nothing to say.
      context: { ...this.eventContext, ...structuredClone(context) },
    };
    this.events.push(event);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`emulator event listener failed on ${type}: ${String(error)}`);
      }
    }
    return event;
  }

  /** Subscribes to every future event; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Records an email the real service would have sent. */
  sendEmail(kind: EmailKind, to: string, subject: string, text: string, data: Record<string, string>): OutboxEmail {
    const email: OutboxEmail = { id: this.newId('email'), kind, to, subject, text, data, created_at: this.nowIso() };
    this.outbox.push(email);
    return email;
  }

  /**
   * Empties every collection and the logs. Subscribers stay attached (a webhook deliverer
   * survives a reset) and the clock keeps its offset unless the caller resets it.
   */
  reset(): void {
    for (const value of Object.values(this)) {
      if (value instanceof Map || value instanceof Set) value.clear();
    }
    this.outbox.length = 0;
    this.events.length = 0;
    this.settings.mfa_required = false;
    this.settings.hosted_organization_selection = true;
  }
}

export function createWorld(options: WorldOptions = {}): World {
  return new World(options);
}
