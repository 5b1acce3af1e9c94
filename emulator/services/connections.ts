// SSO connections. Every connection, whatever its `connection_type`, signs users in through the
// emulator's built-in test identity provider; the type only changes what the API reports.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { ConnectionState, ConnectionWire } from '../state/types.ts';
import { notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';

/** The connection types the OpenAPI spec lists (its `connection_type` enum). */
export const CONNECTION_TYPES = [
  'ADFSSAML',
  'AdpOidc',
  'AppleOAuth',
  'Auth0Migration',
  'Auth0SAML',
  'AzureSAML',
  'BitbucketOAuth',
  'CasSAML',
  'ClassLinkSAML',
  'CleverOIDC',
  'CloudflareSAML',
  'CyberArkSAML',
  'DiscordOAuth',
  'DuoSAML',
  'EntraIdOIDC',
  'GenericOIDC',
  'GenericSAML',
  'GitHubOAuth',
  'GitLabOAuth',
  'GoogleOAuth',
  'GoogleOIDC',
  'GoogleSAML',
  'IntuitOAuth',
  'JumpCloudSAML',
  'KeycloakSAML',
  'LastPassSAML',
  'LinkedInOAuth',
  'LoginGovOidc',
  'MagicLink',
  'MicrosoftOAuth',
  'MiniOrangeSAML',
  'NetIqSAML',
  'OktaOIDC',
  'OktaSAML',
  'OneLoginSAML',
  'OracleSAML',
  'PingFederateSAML',
  'PingOneSAML',
  'RipplingSAML',
  'SalesforceSAML',
  'ShibbolethGenericSAML',
  'ShibbolethSAML',
  'SimpleSamlPhpSAML',
  'SalesforceOAuth',
  'SlackOAuth',
  'TestIdp',
  'VercelMarketplaceOAuth',
  'VercelOAuth',
  'VMwareSAML',
  'XeroOAuth',
  'Pending',
] as const;

const CreateConnectionInput = z.object({
  organization_id: z.string().min(1),
  connection_type: z.enum(CONNECTION_TYPES).default('GenericSAML'),
  name: z.string().min(1).optional(),
  state: z.enum(['draft', 'active', 'inactive']).default('active'),
  domains: z.array(z.string().min(1)).optional(),
});

function requireConnection(ctx: EmulatorContext, id: string): ConnectionWire {
  const connection = ctx.world.connections.get(id);
  if (!connection) throw notFound('Connection', id);
  return connection;
}

/** The shape `connection.*` events carry (the wire shape plus `external_key`). */
export function connectionEventData(connection: ConnectionWire) {
  const { options: _options, ...rest } = connection;
  return { ...rest, external_key: connection.id.replace(/^conn_/, '').toLowerCase() };
}

/**
 * Creates a connection (control API, seed, admin portal). An `active` connection announces
 * `connection.activated`, as finishing setup in the real admin portal does.
 */
export function createConnection(ctx: EmulatorContext, body: unknown): ConnectionWire {
  const input = parseInput(CreateConnectionInput, body);
  const org = requireOrganization(ctx, input.organization_id);
  const { world } = ctx;
  const now = world.nowIso();
  const connection: ConnectionWire = {
    object: 'connection',
    id: world.newId('conn'),
    organization_id: org.id,
    connection_type: input.connection_type,
    name: input.name ?? `${org.name} ${input.connection_type}`,
    state: input.state,
    status: input.state === 'active' ? 'linked' : 'unlinked',
    domains: (input.domains ?? []).map((domain) => ({
      id: world.newId('conn_domain'),
      object: 'connection_domain' as const,
      domain: domain.toLowerCase(),
    })),
    created_at: now,
    updated_at: now,
  };
  world.connections.set(connection.id, connection);
  if (connection.state === 'active') world.emit('connection.activated', connectionEventData(connection));
  return structuredClone(connection);
}

/** Moves a connection between active / inactive / draft and announces the change. */
export function setConnectionState(ctx: EmulatorContext, id: string, state: ConnectionState): ConnectionWire {
  const connection = requireConnection(ctx, id);
  if (connection.state === state) return structuredClone(connection);
  connection.state = state;
  connection.status = state === 'active' ? 'linked' : 'unlinked';
  connection.updated_at = ctx.world.nowIso();
  if (state === 'active') ctx.world.emit('connection.activated', connectionEventData(connection));
  if (state === 'inactive') ctx.world.emit('connection.deactivated', connectionEventData(connection));
  return structuredClone(connection);
}

export function getConnection(ctx: EmulatorContext, id: string): ConnectionWire {
  return structuredClone(requireConnection(ctx, id));
}

export function listConnections(
  ctx: EmulatorContext,
  filter: { connection_type?: string; domain?: string; organization_id?: string; search?: string },
  params: ListParams,
) {
  let items = [...ctx.world.connections.values()];
  // `search` matches the connection's name, case-insensitively.
  if (filter.search) items = items.filter((c) => c.name.toLowerCase().includes(filter.search!.toLowerCase()));
  if (filter.connection_type) items = items.filter((c) => c.connection_type === filter.connection_type);
  if (filter.organization_id) items = items.filter((c) => c.organization_id === filter.organization_id);
  if (filter.domain) {
    const domain = filter.domain.toLowerCase();
    items = items.filter(
      (c) => c.domains.some((d) => d.domain === domain) || domainBelongsTo(ctx, domain, c.organization_id),
    );
  }
  return paginate(items, params, (c) => structuredClone(c));
}

function domainBelongsTo(ctx: EmulatorContext, domain: string, orgId: string): boolean {
  for (const d of ctx.world.organizationDomains.values())
    if (d.domain === domain && d.organization_id === orgId) return true;
  return false;
}

export function deleteConnection(ctx: EmulatorContext, id: string): void {
  const connection = requireConnection(ctx, id);
  ctx.world.connections.delete(id);
  ctx.world.emit('connection.deleted', connectionEventData(connection));
}

/**
 * Active connections that a user with this email must use: those of organizations owning the
 * email's domain (verified) — the rule behind AuthKit's `sso_required` answer and the hosted
 * page's redirect to the identity provider.
 */
export function ssoConnectionsForEmail(ctx: EmulatorContext, email: string): ConnectionWire[] {
  const domain = email.toLowerCase().split('@')[1] ?? '';
  const orgIds = new Set<string>();
  for (const d of ctx.world.organizationDomains.values()) {
    if (d.domain === domain && (d.state === 'verified' || d.state === 'legacy_verified')) orgIds.add(d.organization_id);
  }
  return [...ctx.world.connections.values()].filter(
    (c) => c.state === 'active' && (orgIds.has(c.organization_id) || c.domains.some((d) => d.domain === domain)),
  );
}
