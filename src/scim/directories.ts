// SCIM directories Gatehouse serves itself: created by an organization admin, reached by a bearer
// token. Threats handled here:
//   - a database leak handing out working tokens: only sha256 of a token is stored, the token is
//     shown once (creation, rotation);
//   - a leaked token: rotation keeps the old token alive only for a bounded overlap (so the IdP can
//     be reconfigured without a provisioning gap), revocation stops every token of it at once;
//   - one tenant's token reaching another's directory: a token resolves to exactly one
//     (organization, directory) and every later query runs in that organization's transaction.
// Every change is audited with the admin as actor; the directory's own writes name the directory.
//
// Exported API:
//   createScimDirectory(deps, { organizationId, name, actor }) -> { directory, token }
//   listScimDirectories(tx, organizationId), rotateScimToken(...), revokeScimTokens(...),
//   deleteScimDirectory(...), findDirectoryByToken(db, token), isScimTokenFormat(token)
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ActingActor } from '../audit/actor.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { runDeferred } from '../mirror/context.ts';
import type { Database } from '../store/schema.ts';
import { hashSecret } from '../sessions/session-cookie.ts';
import { asSystem, inTenant, type Tx } from '../store/tenant.ts';
import { openScimWrite, type ScimWriteDeps } from './apply.ts';
import type { ScimDirectory } from './http.ts';
import { cachedTokenLookup, forgetScimTokens } from './token-cache.ts';

const TOKEN_PATTERN = /^gth_scim_[A-Za-z0-9_-]{43}$/;
/** The mirror's `directories.type` of a directory Gatehouse serves. */
export const SCIM_DIRECTORY_TYPE = 'gatehouse scim v2.0';
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 3600;

export interface ScimDirectorySummary {
  id: string;
  name: string;
  createdAt: Date;
  /** Tokens that still open the directory (the current one, and a rotated one in its overlap). */
  tokens: Array<{ id: string; prefix: string; createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null }>;
  users: number;
  groups: number;
}

export function isScimTokenFormat(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

async function insertToken(
  tx: Tx,
  organizationId: string,
  directoryId: string,
): Promise<{ id: string; token: string }> {
  const token = `gth_scim_${randomBytes(32).toString('base64url')}`;
  const id = newId('scim_token');
  await tx
    .insertInto('scim_tokens')
    .values({
      token_hash: hashSecret(token),
      organization_id: organizationId,
      directory_id: directoryId,
      id,
      display_prefix: token.slice(0, 13),
    })
    .execute();
  return { id, token };
}

export async function createScimDirectory(
  deps: ScimWriteDeps,
  input: { organizationId: string; name: string; actor: ActingActor },
): Promise<{ directory: ScimDirectorySummary; token: string }> {
  const { organizationId } = input;
  const id = newId('directory');
  const deferred: Array<() => Promise<unknown>> = [];
  const token = await inTenant(deps.db, organizationId, async (tx) => {
    await tx
      .insertInto('scim_directories')
      .values({ organization_id: organizationId, id, name: input.name.trim() })
      .execute();
    const issued = await insertToken(tx, organizationId, id);
    await appendAuditEvent(tx, {
      organizationId,
      type: 'directory.scim_created',
      actor: input.actor,
      target: { type: 'directory', id },
      data: { name: input.name.trim(), tokenPrefix: issued.token.slice(0, 13) },
    });
    // The mirror learns of the directory as it would from WorkOS: a dsync.activated event.
    const write = await openScimWrite(tx, deps.access, { organizationId, directoryId: id }, deferred);
    await write.emit('dsync.activated', { id, name: input.name.trim(), type: SCIM_DIRECTORY_TYPE, state: 'active' });
    return issued.token;
  });
  await runDeferred(deferred);
  const directory = await inTenant(deps.db, organizationId, (tx) => getScimDirectory(tx, organizationId, id));
  return { directory, token };
}

export async function listScimDirectories(tx: Tx, organizationId: string): Promise<ScimDirectorySummary[]> {
  const rows = await tx
    .selectFrom('scim_directories as d')
    .select([
      'd.id',
      'd.name',
      'd.created_at',
      sql<number>`(SELECT count(*)::int FROM scim_users u WHERE u.organization_id = d.organization_id AND u.directory_id = d.id)`.as(
        'users',
      ),
      sql<number>`(SELECT count(*)::int FROM scim_groups g WHERE g.organization_id = d.organization_id AND g.directory_id = d.id)`.as(
        'groups',
      ),
    ])
    .where('d.organization_id', '=', organizationId)
    .where('d.deleted_at', 'is', null)
    .orderBy('d.id')
    .execute();
  const tokens = await tx
    .selectFrom('scim_tokens')
    .select(['id', 'directory_id', 'display_prefix', 'created_at', 'expires_at', 'last_used_at'])
    .where('organization_id', '=', organizationId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    users: Number(r.users),
    groups: Number(r.groups),
    tokens: tokens
      .filter((t) => t.directory_id === r.id)
      .map((t) => ({
        id: t.id,
        prefix: t.display_prefix,
        createdAt: t.created_at,
        expiresAt: t.expires_at,
        lastUsedAt: t.last_used_at,
      })),
  }));
}

export async function getScimDirectory(tx: Tx, organizationId: string, id: string): Promise<ScimDirectorySummary> {
  const found = (await listScimDirectories(tx, organizationId)).find((d) => d.id === id);
  if (!found) throw new AppError('RESOURCE_NOT_FOUND', 'Directory not found');
  return found;
}

/**
 * Issues a new token. Tokens issued before it keep working for `overlapSeconds` (0: stop now),
 * the time an admin needs to paste the new one into the identity provider.
 */
export async function rotateScimToken(
  db: Kysely<Database>,
  input: { organizationId: string; directoryId: string; overlapSeconds: number; actor: ActingActor },
): Promise<{ directory: ScimDirectorySummary; token: string }> {
  const { organizationId, directoryId } = input;
  const overlap = Math.max(0, Math.min(MAX_ROTATION_OVERLAP_SECONDS, Math.floor(input.overlapSeconds)));
  try {
    return await inTenant(db, organizationId, async (tx) => {
      await getScimDirectory(tx, organizationId, directoryId);
      await tx
        .updateTable('scim_tokens')
        .set({ expires_at: sql`least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => ${overlap}))` })
        .where('organization_id', '=', organizationId)
        .where('directory_id', '=', directoryId)
        .where('revoked_at', 'is', null)
        .execute();
      const issued = await insertToken(tx, organizationId, directoryId);
      await appendAuditEvent(tx, {
        organizationId,
        type: 'directory.scim_token_rotated',
        actor: input.actor,
        target: { type: 'directory', id: directoryId },
        data: { tokenPrefix: issued.token.slice(0, 13), overlapSeconds: overlap },
      });
      return { directory: await getScimDirectory(tx, organizationId, directoryId), token: issued.token };
    });
  } finally {
    // Earlier tokens in no overlap (0) stop at once on this instance, not a second later.
    forgetScimTokens(db);
  }
}

/** Revokes every token of the directory at once; the directory and its people stay as they are. */
export async function revokeScimTokens(
  db: Kysely<Database>,
  input: { organizationId: string; directoryId: string; actor: ActingActor },
): Promise<number> {
  const { organizationId, directoryId } = input;
  try {
    return await inTenant(db, organizationId, async (tx) => {
      await getScimDirectory(tx, organizationId, directoryId);
      const revoked = await tx
        .updateTable('scim_tokens')
        .set({ revoked_at: sql`now()` })
        .where('organization_id', '=', organizationId)
        .where('directory_id', '=', directoryId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      await appendAuditEvent(tx, {
        organizationId,
        type: 'directory.scim_token_revoked',
        actor: input.actor,
        target: { type: 'directory', id: directoryId },
        data: { tokens: revoked.length },
      });
      return revoked.length;
    });
  } finally {
    forgetScimTokens(db);
  }
}

/**
 * Deletes the directory: its tokens stop, and the mirror applies dsync.deleted, which
 * deprovisions every person it brought in (as when a WorkOS directory is deleted).
 */
export async function deleteScimDirectory(
  deps: ScimWriteDeps,
  input: { organizationId: string; directoryId: string; actor: ActingActor },
): Promise<void> {
  const { organizationId, directoryId } = input;
  const deferred: Array<() => Promise<unknown>> = [];
  try {
    await inTenant(deps.db, organizationId, async (tx) => {
      const d = await getScimDirectory(tx, organizationId, directoryId);
      await appendAuditEvent(tx, {
        organizationId,
        type: 'directory.scim_deleted',
        actor: input.actor,
        target: { type: 'directory', id: directoryId },
        data: { name: d.name },
      });
      const write = await openScimWrite(tx, deps.access, { organizationId, directoryId }, deferred);
      await write.emit('dsync.deleted', { id: directoryId, name: d.name, type: SCIM_DIRECTORY_TYPE, state: 'deleted' });
      await tx
        .updateTable('scim_tokens')
        .set({ revoked_at: sql`now()` })
        .where('organization_id', '=', organizationId)
        .where('directory_id', '=', directoryId)
        .where('revoked_at', 'is', null)
        .execute();
      await tx
        .deleteFrom('scim_users')
        .where('organization_id', '=', organizationId)
        .where('directory_id', '=', directoryId)
        .execute();
      await tx
        .deleteFrom('scim_groups')
        .where('organization_id', '=', organizationId)
        .where('directory_id', '=', directoryId)
        .execute();
      await tx
        .updateTable('scim_directories')
        .set({ deleted_at: sql`now()` })
        .where('organization_id', '=', organizationId)
        .where('id', '=', directoryId)
        .execute();
    });
  } finally {
    forgetScimTokens(deps.db);
  }
  await runDeferred(deferred);
}

/**
 * The directory a bearer token opens, or null. A system read: the token is what names the
 * organization, so no tenant is known yet; only its hash is compared, by the index. A token
 * verified in the last second is answered from memory (token-cache.ts says why that is safe).
 */
export async function findDirectoryByToken(db: Kysely<Database>, token: string): Promise<ScimDirectory | null> {
  if (!isScimTokenFormat(token)) return null;
  const hash = hashSecret(token);
  return cachedTokenLookup(db, hash, async () => {
    const row = await asSystem(db, 'a SCIM bearer token names its own directory', (tx) =>
      tx
        .selectFrom('scim_tokens as t')
        .innerJoin('scim_directories as d', (j) =>
          j.onRef('d.organization_id', '=', 't.organization_id').onRef('d.id', '=', 't.directory_id'),
        )
        .select([
          't.organization_id',
          't.directory_id',
          't.last_used_at',
          // Time left on a rotated token, by the database's clock (the one that decides expiry).
          sql<number | null>`extract(epoch from t.expires_at - now()) * 1000`.as('remaining_ms'),
        ])
        .where('t.token_hash', '=', hash)
        .where('t.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<Date>`now()`)]))
        .where('d.deleted_at', 'is', null)
        .executeTakeFirst(),
    );
    if (!row) return null;
    // Last use, at most once a minute per token: what an admin reads before revoking an old token.
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      await inTenant(db, row.organization_id, (tx) =>
        tx.updateTable('scim_tokens').set({ last_used_at: sql`now()` }).where('token_hash', '=', hash).execute(),
      );
    }
    const remaining = row.remaining_ms === null ? null : Number(row.remaining_ms);
    return {
      directory: { organizationId: row.organization_id, directoryId: row.directory_id },
      remainingMs: remaining,
    };
  });
}
