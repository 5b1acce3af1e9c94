// API keys: `gth_live_…` / `gth_test_…` bearer secrets for app backends and scripts. The prefix
// tells a key from a JWT at a glance (and lets secret scanners find leaked ones). Only sha256 of
// the key is stored (threat: a database leak handing out working keys); the secret is returned
// once, at creation. A key belongs to one organization and carries a role no higher than its
// creator's (no privilege escalation by minting a key: the ceiling in ceiling.ts). A personal
// key also never exceeds its owner's current role and dies with the owner's membership; an
// organization key outlives its creator. Creation and revocation are audited in the same transaction, and revocation is
// published on the revocation bus.
//
// Exported API (tx: a tenant transaction of the key's organization):
//   createApiKey(tx, { creator, name, role, ownership, catalogue, expiresAt?, environment? }) -> { apiKey, secret }
//   listApiKeys(tx, organizationId) -> ApiKey[]
//   revokeApiKey(tx, { organizationId, apiKeyId, actor, reason? }) -> boolean
//   isApiKeyFormat(token), findApiKeyBySecret(db, token), touchApiKey(db, row, now)
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditActor } from '../audit/chain.ts';
import { actorOf } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { PermissionCatalogue } from '../core/permission-catalogue.ts';
import { grantError, granterOf, rolePermissions } from './ceiling.ts';
import { decideGrant } from '../core/ceiling.ts';
import type { ApiKeyRow, Database } from '../store/schema.ts';
import { asSystem, inTenant, type Tx } from '../store/tenant.ts';
import { publishRevocation } from '../sessions/revocation-bus.ts';
import { hashSecret } from '../sessions/session-cookie.ts';

const KEY_PATTERN = /^gth_(live|test)_[A-Za-z0-9_-]{43}$/;
export const API_KEY_TOUCH_INTERVAL_MS = 60_000;

export interface ApiKey {
  id: string;
  organizationId: string;
  name: string;
  environment: 'live' | 'test';
  displayPrefix: string;
  role: string;
  ownership: 'personal' | 'organization';
  ownerUserId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function apiKeyFromRow(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    environment: row.environment,
    displayPrefix: row.display_prefix,
    role: row.role,
    ownership: row.owner_user_id ? 'personal' : 'organization',
    ownerUserId: row.owner_user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function isApiKeyFormat(token: string): boolean {
  return KEY_PATTERN.test(token);
}

export { rolePermissions };

export interface CreateApiKeyInput {
  creator: AuthContext;
  name: string;
  role: string;
  ownership: 'personal' | 'organization';
  expiresAt?: Date | null;
  environment?: 'live' | 'test';
  /** The install's permissions: what the key's role grants, for the ceiling. */
  catalogue: PermissionCatalogue;
}

export async function createApiKey(tx: Tx, input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; secret: string }> {
  const { creator } = input;
  const organizationId = creator.organizationId;
  if (!creator.permissions.includes('api_keys:manage'))
    throw new AppError('AUTH_FORBIDDEN', 'Creating API keys needs the api_keys:manage permission');
  // Also refused by the access decision; here too, so no caller can mint a key that outlives an impersonation.
  if (creator.impersonator)
    throw new AppError('AUTH_IMPERSONATION_FORBIDDEN', 'An impersonated session cannot create API keys');
  if (input.ownership === 'personal' && creator.principal.type !== 'user')
    throw new AppError('REQUEST_INVALID', 'Only a user can own a personal API key');
  if (!input.name.trim() || input.name.length > 200)
    throw new AppError('REQUEST_INVALID', 'An API key needs a name of at most 200 characters');
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
    throw new AppError('REQUEST_INVALID', 'An API key cannot expire in the past');
  const permissions = await rolePermissions(tx, organizationId, input.role, input.catalogue);
  if (!permissions) throw new AppError('REQUEST_INVALID', `Unknown role ${input.role}`);
  // The ceiling (src/access/ceiling.ts): callers run enforceGrant first so a refusal is audited;
  // this is the same decision again inside the key's own transaction.
  const decision = decideGrant(granterOf(creator, organizationId, input.catalogue), {
    path: 'api_key',
    roleSlug: input.role,
    permissions,
  });
  if (!decision.ok) throw grantError(decision, 'api_key');
  const environment = input.environment ?? 'live';
  const secret = `gth_${environment}_${randomBytes(32).toString('base64url')}`;
  const id = newId('key');
  const row = await tx
    .insertInto('api_keys')
    .values({
      organization_id: organizationId,
      id,
      name: input.name.trim(),
      environment,
      display_prefix: secret.slice(0, 13),
      secret_hash: hashSecret(secret),
      role: input.role,
      owner_user_id:
        input.ownership === 'personal' && creator.principal.type === 'user' ? creator.principal.userId : null,
      created_by: actorOf(creator).id,
      expires_at: input.expiresAt ?? null,
      // The creator's sign-in through this organization's own SSO connection, if it was one: while
      // the organization enforces SSO, only keys minted from such a sign-in are honoured.
      sso_connection_id: creator.ssoConnectionId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAuditEvent(tx, {
    organizationId,
    type: 'api_key.created',
    actor: actorOf(creator),
    target: { type: 'api_key', id },
    data: {
      name: row.name,
      role: row.role,
      ownership: input.ownership,
      environment,
      expiresAt: row.expires_at?.toISOString() ?? null,
      ssoConnectionId: row.sso_connection_id,
    },
  });
  return { apiKey: apiKeyFromRow(row), secret };
}

export async function listApiKeys(tx: Tx, organizationId: string): Promise<ApiKey[]> {
  const rows = await tx
    .selectFrom('api_keys')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map(apiKeyFromRow);
}

export async function revokeApiKey(
  tx: Tx,
  input: { organizationId: string; apiKeyId: string; actor: AuditActor; reason?: string },
): Promise<boolean> {
  const reason = input.reason ?? 'revoked';
  const done = await tx
    .updateTable('api_keys')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('organization_id', '=', input.organizationId)
    .where('id', '=', input.apiKeyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (done.numUpdatedRows === 0n) return false;
  await appendAuditEvent(tx, {
    organizationId: input.organizationId,
    type: 'api_key.revoked',
    actor: input.actor,
    target: { type: 'api_key', id: input.apiKeyId },
    data: { reason },
  });
  await publishRevocation(tx, { kind: 'api_key', apiKeyId: input.apiKeyId });
  return true;
}

/** Finds the key by the hash of what was presented; the organization is not known yet. */
export async function findApiKeyBySecret(db: Kysely<Database>, token: string): Promise<ApiKeyRow | undefined> {
  return asSystem(db, 'resolve an API key by its hash', (tx) =>
    tx.selectFrom('api_keys').selectAll().where('secret_hash', '=', hashSecret(token)).executeTakeFirst(),
  );
}

/** last_used_at, written at most once a minute per key. */
export async function touchApiKey(db: Kysely<Database>, row: ApiKeyRow, now: number): Promise<void> {
  if (row.last_used_at && now - row.last_used_at.getTime() < API_KEY_TOUCH_INTERVAL_MS) return;
  await inTenant(db, row.organization_id, (tx) =>
    tx
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now) })
      .where('organization_id', '=', row.organization_id)
      .where('id', '=', row.id)
      .execute(),
  );
}
