// An organization's direct OIDC connections (AUTH_PROVIDER=oidc): added, tested and removed by its
// admins, read by sign-in. Every change commits with its audit entry in the organization's chain.
// Threats and answers:
// - A database reader using the client secret: it is sealed-box ciphertext bound to the
//   connection id (core/sealed-box.ts), never returned by any read, log or audit entry.
// - One organization capturing another's people through home-realm discovery: an email domain is
//   served by at most one live connection (the database's primary key decides a race), and a
//   sign-in through a connection only ever lands in that connection's own organization.
// - A typo'd or hostile issuer: discovery runs before anything is stored, and the issuer must be
//   https (http only on loopback, for dev).
import type { Kysely } from 'kysely';
import type { AuditActor } from '../../audit/chain.ts';
import { appendAuditEvent } from '../../audit/audit-log.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { SealedBox } from '../../core/sealed-box.ts';
import type { Database } from '../../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../../store/tenant.ts';
import { parseIssuerUrl, type DiscoveryReport, type OidcClients, type OidcEndpoint } from './oidc-client.ts';

export const OIDC_CONNECTION_TYPE = 'GenericOIDC';

export interface OidcConnection {
  id: string;
  organizationId: string;
  name: string;
  issuer: string;
  clientId: string;
  domains: string[];
  createdAt: string;
}

export interface NewOidcConnection {
  name?: string | undefined;
  issuer: string;
  clientId: string;
  clientSecret: string;
  domains: string[];
}

export interface OidcConnections {
  list(organizationId: string): Promise<OidcConnection[]>;
  /** Runs discovery, then stores the connection (and its sso_connections row) with its audit entry. */
  create(actor: AuditActor, organizationId: string, input: NewOidcConnection): Promise<OidcConnection>;
  /** Refused while SSO is enabled with it (SSO_CONNECTION_IN_USE). */
  remove(actor: AuditActor, organizationId: string, connectionId: string): Promise<void>;
  /** "Test connection": discovery now, answered as what was found (SSO_DISCOVERY_FAILED otherwise). */
  test(actor: AuditActor, organizationId: string, connectionId: string): Promise<DiscoveryReport>;
  /** Sign-in: the live connection serving this email's domain, if any. */
  forEmail(email: string): Promise<OidcConnection | null>;
  /** Sign-in: the connection an organization signs in through (its SSO one, else its first). */
  forOrganization(organizationId: string): Promise<OidcConnection | null>;
  /** Sign-in: a live connection by id, any organization. */
  get(connectionId: string): Promise<OidcConnection | null>;
  /** Sign-in: the connection with its secret, for the OIDC client. Never leaves the server. */
  endpoint(connection: OidcConnection): Promise<OidcEndpoint>;
}

export interface OidcConnectionsDeps {
  db: Kysely<Database>;
  vault: SealedBox;
  clients: Pick<OidcClients, 'discover' | 'forget'>;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const secretBinding = (connectionId: string) => `${connectionId}:client_secret`;

export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at > 0
    ? email
        .slice(at + 1)
        .trim()
        .toLowerCase()
    : null;
}

/** Lower-cased, de-duplicated domains; REQUEST_INVALID naming the first bad one. */
export function parseDomains(domains: readonly string[]): string[] {
  const out = [...new Set(domains.map((d) => d.trim().toLowerCase()).filter(Boolean))];
  if (out.length === 0) throw fieldError('domains', 'expected at least one email domain, e.g. acme.com');
  const bad = out.find((d) => !DOMAIN.test(d));
  if (bad) throw fieldError('domains', `"${bad}" is not a domain name`);
  return out;
}

function fieldError(path: string, message: string): AppError {
  return new AppError('REQUEST_INVALID', message, { details: { errors: [{ path: `body.${path}`, message }] } });
}

type ConnectionRow = {
  id: string;
  organization_id: string;
  issuer: string;
  client_id: string;
  created_at: Date;
  name: string | null;
};

async function withDomains(tx: Tx, rows: ConnectionRow[]): Promise<OidcConnection[]> {
  if (rows.length === 0) return [];
  const domains = await tx
    .selectFrom('oidc_connection_domains')
    .select(['connection_id', 'domain'])
    .where(
      'connection_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('domain')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organizationId: r.organization_id,
    name: r.name ?? new URL(r.issuer).host,
    issuer: r.issuer,
    clientId: r.client_id,
    domains: domains.filter((d) => d.connection_id === r.id).map((d) => d.domain),
    createdAt: r.created_at.toISOString(),
  }));
}

function selectLive(tx: Tx) {
  return tx
    .selectFrom('oidc_connections as c')
    .leftJoin('sso_connections as s', 's.id', 'c.id')
    .select(['c.id', 'c.organization_id', 'c.issuer', 'c.client_id', 'c.created_at', 's.name'])
    .where('c.deleted_at', 'is', null);
}

export function createOidcConnections(deps: OidcConnectionsDeps): OidcConnections {
  const { db, vault } = deps;

  const readOne = (reason: string, where: (tx: Tx) => Promise<ConnectionRow | undefined>) =>
    asSystem(db, reason, async (tx) => {
      const row = await where(tx);
      return row ? ((await withDomains(tx, [row]))[0] ?? null) : null;
    });

  return {
    list: (organizationId) =>
      inTenant(db, organizationId, async (tx) =>
        withDomains(
          tx,
          await selectLive(tx).where('c.organization_id', '=', organizationId).orderBy('c.created_at').execute(),
        ),
      ),

    async create(actor, organizationId, input) {
      const issuer = input.issuer.trim().replace(/\/+$/, '');
      if (!parseIssuerUrl(issuer))
        throw fieldError('issuer', 'expected an https URL (http only for localhost), e.g. https://login.acme.com');
      const domains = parseDomains(input.domains);
      const id = newId('conn');
      const clientId = input.clientId.trim();
      // Outside any transaction: no row lock is held across a network call.
      await deps.clients.discover({ id, issuer, clientId, clientSecret: input.clientSecret });
      const name = input.name?.trim() || new URL(issuer).host;
      // A taken domain (the primary key decides a race between two organizations) rolls back the
      // whole connection, audit entry included.
      return inTenant(db, organizationId, async (tx) => {
        const org = await tx
          .selectFrom('organizations')
          .select('id')
          .where('id', '=', organizationId)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (!org) throw new AppError('RESOURCE_NOT_FOUND', 'No such organization');
        await tx
          .insertInto('oidc_connections')
          .values({
            organization_id: organizationId,
            id,
            issuer,
            client_id: clientId,
            client_secret_enc: vault.seal(input.clientSecret, secretBinding(id)),
          })
          .execute();
        await tx
          .insertInto('sso_connections')
          .values({ organization_id: organizationId, id, connection_type: OIDC_CONNECTION_TYPE, name, state: 'active' })
          .execute();
        await tx
          .insertInto('oidc_connection_domains')
          .values(domains.map((domain) => ({ domain, organization_id: organizationId, connection_id: id })))
          .execute();
        await appendAuditEvent(tx, {
          organizationId,
          type: 'sso.oidc_connection_created',
          actor,
          target: { type: 'connection', id },
          data: { connectionId: id, name, issuer, clientId, domains },
        });
        return { id, organizationId, name, issuer, clientId, domains, createdAt: new Date().toISOString() };
      }).catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505')
          throw new AppError('SSO_DOMAIN_TAKEN', 'One of these email domains is already served by an OIDC connection');
        throw error;
      });
    },

    async remove(actor, organizationId, connectionId) {
      await inTenant(db, organizationId, async (tx) => {
        const row = await selectLive(tx)
          .where('c.organization_id', '=', organizationId)
          .where('c.id', '=', connectionId)
          .executeTakeFirst();
        if (!row) throw new AppError('SSO_CONNECTION_NOT_FOUND', 'This organization has no such OIDC connection');
        const sso = await tx
          .selectFrom('sso_configs')
          .select(['enabled', 'connection_id'])
          .where('organization_id', '=', organizationId)
          .executeTakeFirst();
        if (sso?.enabled && sso.connection_id === connectionId)
          throw new AppError(
            'SSO_CONNECTION_IN_USE',
            'SSO is enabled with this connection; disable SSO or enable it with another connection first',
          );
        await dropConnection(tx, organizationId, connectionId);
        await appendAuditEvent(tx, {
          organizationId,
          type: 'sso.oidc_connection_removed',
          actor,
          target: { type: 'connection', id: connectionId },
          data: { connectionId, issuer: row.issuer },
        });
      });
      deps.clients.forget(connectionId);
    },

    async test(actor, organizationId, connectionId) {
      const connection = (await this.list(organizationId)).find((k) => k.id === connectionId);
      if (!connection) throw new AppError('SSO_CONNECTION_NOT_FOUND', 'This organization has no such OIDC connection');
      const report = await deps.clients.discover(await this.endpoint(connection));
      await inTenant(db, organizationId, (tx) =>
        appendAuditEvent(tx, {
          organizationId,
          type: 'sso.oidc_connection_tested',
          actor,
          target: { type: 'connection', id: connectionId },
          data: { connectionId, issuer: report.issuer, issParameterSupported: report.issParameterSupported },
        }),
      );
      return report;
    },

    forEmail(email) {
      const domain = emailDomain(email);
      if (!domain) return Promise.resolve(null);
      return readOne('route an email to the OIDC connection serving its domain', (tx) =>
        selectLive(tx)
          .innerJoin('oidc_connection_domains as d', 'd.connection_id', 'c.id')
          .where('d.domain', '=', domain)
          .executeTakeFirst(),
      );
    },

    forOrganization(organizationId) {
      return readOne('find the OIDC connection an organization signs in through', (tx) =>
        selectLive(tx)
          .leftJoin('sso_configs as sc', (j) => j.onRef('sc.organization_id', '=', 'c.organization_id'))
          .where('c.organization_id', '=', organizationId)
          // The connection SSO is enabled with comes first, then the oldest.
          .orderBy((eb) => eb.case().when('sc.connection_id', '=', eb.ref('c.id')).then(0).else(1).end())
          .orderBy('c.created_at')
          .executeTakeFirst(),
      );
    },

    get(connectionId) {
      return readOne('read an OIDC connection named by a sign-in', (tx) =>
        selectLive(tx).where('c.id', '=', connectionId).executeTakeFirst(),
      );
    },

    async endpoint(connection) {
      const row = await inTenant(db, connection.organizationId, (tx) =>
        tx
          .selectFrom('oidc_connections')
          .select('client_secret_enc')
          .where('organization_id', '=', connection.organizationId)
          .where('id', '=', connection.id)
          .executeTakeFirstOrThrow(),
      );
      return {
        id: connection.id,
        issuer: connection.issuer,
        clientId: connection.clientId,
        clientSecret: vault.open(row.client_secret_enc, secretBinding(connection.id)),
      };
    },
  };
}

async function dropConnection(tx: Tx, organizationId: string, connectionId: string): Promise<void> {
  const now = new Date();
  await tx
    .deleteFrom('oidc_connection_domains')
    .where('organization_id', '=', organizationId)
    .where('connection_id', '=', connectionId)
    .execute();
  await tx
    .updateTable('oidc_connections')
    .set({ deleted_at: now, updated_at: now })
    .where('organization_id', '=', organizationId)
    .where('id', '=', connectionId)
    .execute();
  await tx
    .updateTable('sso_connections')
    .set({ deleted_at: now, state: 'inactive', updated_at: now })
    .where('organization_id', '=', organizationId)
    .where('id', '=', connectionId)
    .execute();
}
