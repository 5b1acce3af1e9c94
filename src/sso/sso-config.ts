// SSO configuration and enforcement per organization: the seeds' SsoConfig { enabled, enforced,
// connectionId, provider }. Every change commits together with its audit entry in the
// organization's chain, and enforcing publishes a revocation so live non-SSO sessions are
// re-checked at once on every instance (the sessions service ends them at their next refresh).
//
// The organization always comes from the caller's AuthContext (or the sign-in being completed),
// never from request input. A connection of another organization is answered exactly like an
// unknown one, so this cannot be used to probe other tenants' connection ids.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { AuditActor } from '../audit/chain.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { AppError } from '../core/errors.ts';
import type { Database, SsoConfigRow } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { organizationIsLive } from '../mirror/context.ts';
import { publishRevocation } from '../sessions/revocation-bus.ts';

export interface SsoConfig {
  enabled: boolean;
  enforced: boolean;
  connectionId: string | null;
  provider: string | null;
}

const DISABLED_SSO: SsoConfig = Object.freeze({
  enabled: false,
  enforced: false,
  connectionId: null,
  provider: null,
});

export interface SsoService {
  getSsoConfig(organizationId: string): Promise<SsoConfig>;
  /** Checks the connection with the provider (exists, active, this organization's), then enables. */
  enableSso(actor: AuditActor, organizationId: string, input: { connectionId: string }): Promise<SsoConfig>;
  /** Turns enforcement on or off; on requires SSO enabled (SSO_NOT_ENABLED otherwise). */
  setSsoEnforced(actor: AuditActor, organizationId: string, enforced: boolean): Promise<SsoConfig>;
  /** Disables SSO and clears enforcement. */
  disableSso(actor: AuditActor, organizationId: string): Promise<SsoConfig>;
  /**
   * The predicate sign-in and session refresh consult. Pass the caller's transaction when there is
   * one: on PGlite's single connection a second transaction would wait for the first forever.
   */
  isSsoEnforced(organizationId: string, tx?: Tx): Promise<boolean>;
}

/**
 * The one thing the SSO settings need from the identity provider, declared here as a structural
 * port (any IdentityProvider fits): sign-in reads SSO settings, so SSO must not import sign-in's folder.
 */
export interface ConnectionLookup {
  getConnection(
    connectionId: string,
  ): Promise<{ id: string; organizationId: string | null; type: string; name: string; state: string }>;
}

export interface SsoServiceDeps {
  db: Kysely<Database>;
  provider: ConnectionLookup;
}

function ssoConfigFromRow(row: SsoConfigRow | undefined): SsoConfig {
  if (!row) return DISABLED_SSO;
  return { enabled: row.enabled, enforced: row.enforced, connectionId: row.connection_id, provider: row.provider };
}

/** Reads the configuration inside an existing tenant transaction (sign-in uses this). */
export async function readSsoConfig(tx: Tx, organizationId: string): Promise<SsoConfig> {
  return ssoConfigFromRow(
    await tx.selectFrom('sso_configs').selectAll().where('organization_id', '=', organizationId).executeTakeFirst(),
  );
}

/** Locks (creating when absent) the organization's row, so concurrent admins apply in order. */
async function lockConfig(tx: Tx, organizationId: string): Promise<SsoConfig> {
  if (!(await organizationIsLive(tx, organizationId))) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
  await tx
    .insertInto('sso_configs')
    .values({ organization_id: organizationId })
    .onConflict((oc) => oc.column('organization_id').doNothing())
    .execute();
  const row = await tx
    .selectFrom('sso_configs')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return ssoConfigFromRow(row);
}

async function save(tx: Tx, organizationId: string, next: SsoConfig): Promise<SsoConfig> {
  await tx
    .updateTable('sso_configs')
    .set({
      enabled: next.enabled,
      enforced: next.enforced,
      connection_id: next.connectionId,
      provider: next.provider,
      updated_at: sql<Date>`now()`,
    })
    .where('organization_id', '=', organizationId)
    .execute();
  return next;
}

export function createSsoService(deps: SsoServiceDeps): SsoService {
  const { db, provider } = deps;

  return {
    getSsoConfig: (organizationId) => inTenant(db, organizationId, (tx) => readSsoConfig(tx, organizationId)),

    async enableSso(actor, organizationId, input) {
      const connectionId = input.connectionId.trim();
      if (!/^conn_[A-Za-z0-9]+$/.test(connectionId)) {
        throw new AppError('SSO_CONNECTION_INVALID', 'The connection id must look like conn_…', {
          details: { errors: [{ path: 'connectionId', message: 'expected a WorkOS connection id (conn_…)' }] },
        });
      }
      // Ask the provider first, outside the transaction: no row lock is held across a network call.
      const connection = await provider.getConnection(connectionId).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'PROVIDER_NOT_FOUND') return null;
        throw error;
      });
      if (!connection || connection.organizationId !== organizationId) {
        throw new AppError('SSO_CONNECTION_NOT_FOUND', 'This organization has no SSO connection with that id');
      }
      if (connection.state !== 'active') {
        throw new AppError(
          'SSO_CONNECTION_INVALID',
          `The SSO connection is not active (it is ${connection.state}); finish its setup first`,
        );
      }
      return inTenant(db, organizationId, async (tx) => {
        const current = await lockConfig(tx, organizationId);
        if (current.enabled && current.connectionId === connection.id && current.provider === connection.type)
          return current;
        if (current.enabled && current.connectionId) {
          await appendAuditEvent(tx, {
            organizationId,
            type: 'sso.connection_removed',
            actor,
            target: { type: 'connection', id: current.connectionId },
            data: { connectionId: current.connectionId, provider: current.provider, replacedBy: connection.id },
          });
        }
        const next = await save(tx, organizationId, {
          enabled: true,
          enforced: current.enforced,
          connectionId: connection.id,
          provider: connection.type,
        });
        // Credentials bound to the old connection stop meeting an enforced policy: drop them everywhere.
        if (current.enforced && current.connectionId !== connection.id) {
          await publishRevocation(tx, { kind: 'organization', organizationId, reason: 'sso_enforced' });
        }
        await appendAuditEvent(tx, {
          organizationId,
          type: 'sso.connection_created',
          actor,
          target: { type: 'connection', id: connection.id },
          data: { connectionId: connection.id, provider: connection.type, name: connection.name },
        });
        return next;
      });
    },

    setSsoEnforced(actor, organizationId, enforced) {
      return inTenant(db, organizationId, async (tx) => {
        const current = await lockConfig(tx, organizationId);
        if (enforced && !current.enabled)
          throw new AppError('SSO_NOT_ENABLED', 'Cannot enforce SSO when SSO is not enabled');
        if (current.enforced === enforced) return current;
        const next = await save(tx, organizationId, { ...current, enforced });
        await appendAuditEvent(tx, {
          organizationId,
          type: enforced ? 'sso.enforcement_enabled' : 'sso.enforcement_disabled',
          actor,
          target: { type: 'organization', id: organizationId },
          data: { connectionId: current.connectionId },
        });
        // Delivered on commit: every instance drops cached credentials of this organization, and
        // the sessions service re-checks each session's sign-in method before honouring it.
        if (enforced) await publishRevocation(tx, { kind: 'organization', organizationId, reason: 'sso_enforced' });
        return next;
      });
    },

    disableSso(actor, organizationId) {
      return inTenant(db, organizationId, async (tx) => {
        const current = await lockConfig(tx, organizationId);
        if (!current.enabled) return current;
        const next = await save(tx, organizationId, DISABLED_SSO);
        await appendAuditEvent(tx, {
          organizationId,
          type: 'sso.connection_removed',
          actor,
          target: { type: 'connection', id: current.connectionId ?? organizationId },
          data: { connectionId: current.connectionId, provider: current.provider, wasEnforced: current.enforced },
        });
        return next;
      });
    },

    isSsoEnforced: async (organizationId, tx) =>
      tx
        ? (await readSsoConfig(tx, organizationId)).enforced
        : inTenant(db, organizationId, async (t) => (await readSsoConfig(t, organizationId)).enforced),
  };
}
