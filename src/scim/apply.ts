// A SCIM write applied through the mirror's own dsync.* handlers (src/mirror/handlers.ts), so a
// directory Gatehouse serves has exactly the semantics of one WorkOS serves: provisioning,
// deprovisioning with revocation on every instance, group-to-role mapping, audit entries with the
// directory as actor, linking only on verified domains. Nothing of that logic is repeated here.
//
// One tenant transaction per SCIM request: the SCIM rows, the mirror writes the events cause,
// their audit entries and published revocations commit together or not at all (a failed write
// changes nothing). The organization's advisory lock is the one webhook intake takes, so a SCIM
// write and a WorkOS event of the same tenant never interleave on the audit head or mirror rows.
//
// Creating a user is the exception that makes an identity provider's initial push fast: it takes
// that lock shared (creates run side by side, never beside any other write of the organization)
// and stamps only its own new rows, so creates of different people do not queue on one row.
import { sql, type Kysely } from 'kysely';
import { newId } from '../core/ids.ts';
import { runDeferred, type AccessRevoker, type ApplyContext, type ApplyOutcome } from '../mirror/context.ts';
import { EVENT_HANDLERS } from '../mirror/handlers.ts';
import type { ProviderEvent } from '../mirror/provider-event.ts';
import type { Database } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { ScimError } from '../../protocols/scim/errors.ts';
import type { ScimDirectory } from './http.ts';

export interface ScimWriteDeps {
  db: Kysely<Database>;
  access: AccessRevoker;
}

export interface ScimWrite {
  tx: Tx;
  /** The time this write's mirror changes are versioned at (ISO). */
  at: string;
  /** Applies one dsync.* event about this directory through the mirror's handler. */
  emit(type: string, data: Record<string, unknown>): Promise<ApplyOutcome>;
  /** The event `emit` would apply, for the mirror's set-based path (user-create-batch.ts). */
  event(type: string, data: Record<string, unknown>): ProviderEvent;
}

/**
 * Runs `fn` in the directory's tenant transaction with the organization's lock held and a fresh
 * version. Follow-up work the handlers deferred (marking sessions revoked) runs after commit.
 */
export async function scimWrite<T>(
  deps: ScimWriteDeps,
  directory: ScimDirectory,
  fn: (write: ScimWrite) => Promise<T>,
): Promise<T> {
  const deferred: Array<() => Promise<unknown>> = [];
  const result = await inTenant(deps.db, directory.organizationId, async (tx) =>
    fn(await openScimWrite(tx, deps.access, directory, deferred)),
  );
  await runDeferred(deferred);
  return result;
}

/** The write of `scimWrite`, inside a tenant transaction the caller holds (directory creation). */
export async function openScimWrite(
  tx: Tx,
  access: AccessRevoker,
  directory: ScimDirectory,
  deferred: Array<() => Promise<unknown>>,
): Promise<ScimWrite> {
  const { organizationId, directoryId } = directory;
  // The mirror ignores a write whose version is not newer than the row's (order tolerance for
  // WorkOS events). SCIM writes are the source here, so each takes a version strictly after the
  // directory's previous one and after every user's own version (a create stamps its user alone,
  // see scimCreate), even if the clock stepped back: none is ever dropped as stale. One
  // statement takes the organization's lock first (as webhook intake does), then the version.
  const { rows } = await sql<{ version_at: Date }>`
    WITH locked AS (SELECT pg_advisory_xact_lock(hashtext(${orgLockKey(organizationId)})) AS l)
    UPDATE scim_directories
    SET version_at = date_trunc('milliseconds', greatest(
      clock_timestamp(),
      version_at + interval '1 millisecond',
      (SELECT u.updated_at + interval '1 millisecond' FROM scim_users u
       WHERE u.directory_id = ${directoryId} ORDER BY u.updated_at DESC LIMIT 1)))
    FROM locked
    WHERE organization_id = ${organizationId} AND id = ${directoryId} AND deleted_at IS NULL
    RETURNING version_at`.execute(tx);
  const row = rows[0];
  if (!row) throw new ScimError(404, 'Directory not found');
  return writeAt(tx, access, directory, deferred, new Date(row.version_at).toISOString());
}

function orgLockKey(organizationId: string): string {
  return `gatehouse.org:${organizationId}`;
}

/**
 * A write that creates a resource under an id it mints itself, so no other write can name that
 * resource until this one commits. It holds the organization's lock shared: creates run at once,
 * every other SCIM write and WorkOS event of the organization waits for them (and they for it).
 * `fn` inserts the new row, stamped at its own version (scimCreateVersion), and then calls `open`
 * with that version to emit the row's events. Uniqueness is the table's unique index: of two
 * creates of one userName, the second waits for the first to commit and then inserts nothing.
 */
export async function scimCreate<T>(
  deps: ScimWriteDeps,
  directory: ScimDirectory,
  fn: (tx: Tx, open: (at: Date | string) => ScimWrite) => Promise<T>,
): Promise<T> {
  const deferred: Array<() => Promise<unknown>> = [];
  // The lock is taken with the tenant setup, a statement before the insert: the insert then reads
  // with a snapshot taken after the lock, so it sees a directory deleted by the write it waited for.
  const result = await inTenant(
    deps.db,
    directory.organizationId,
    async (tx) => fn(tx, (at) => writeAt(tx, deps.access, directory, deferred, new Date(at).toISOString())),
    { lock: { key: orgLockKey(directory.organizationId), mode: 'shared' } },
  );
  await runDeferred(deferred);
  return result;
}

/**
 * SQL: the version a created row is stamped at, from the live directory row `d`: after every
 * earlier write of the directory. Later writes move past it (openScimWrite reads the newest user).
 */
export const scimCreateVersion = sql<Date>`date_trunc('milliseconds', greatest(clock_timestamp(), d.version_at + interval '1 millisecond'))`;

function writeAt(
  tx: Tx,
  access: AccessRevoker,
  directory: ScimDirectory,
  deferred: Array<() => Promise<unknown>>,
  at: string,
): ScimWrite {
  const { organizationId } = directory;
  // Event ids increase within the request, so two events of one request touching one row apply
  // in the order they were emitted (the version's tie-break).
  const base = newId('scim_evt');
  let sequence = 0;
  const known = new Set([organizationId]);
  const event = (type: string, data: Record<string, unknown>): ProviderEvent => {
    const id = `${base}_${String(sequence++).padStart(6, '0')}`;
    return { id, event: type, data: { ...data, organization_id: organizationId }, created_at: at };
  };
  const emit = async (type: string, data: Record<string, unknown>): Promise<ApplyOutcome> => {
    const handler = EVENT_HANDLERS[type];
    if (!handler) throw new TypeError(`no mirror handler for ${type}`);
    const e = event(type, data);
    const ctx: ApplyContext = {
      tx,
      event: e,
      version: { at, eventId: e.id },
      access,
      note: () => undefined,
      defer: (task) => deferred.push(task),
      knownOrganizations: known,
    };
    return handler(ctx);
  };
  return { tx, at, emit, event };
}
