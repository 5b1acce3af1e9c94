// A SCIM write applied through the mirror's own dsync.* handlers (src/mirror/handlers.ts), so a
// directory Gatehouse serves has exactly the semantics of one WorkOS serves: provisioning,
// deprovisioning with revocation on every instance, group-to-role mapping, audit entries with the
// directory as actor, linking only on verified domains. Nothing of that logic is repeated here.
//
// One tenant transaction per SCIM request: the SCIM rows, the mirror writes the events cause,
// their audit entries and published revocations commit together or not at all (a failed write
// changes nothing). The organization's advisory lock is the one webhook intake takes, so a SCIM
// write and a WorkOS event of the same tenant never interleave on the audit head or mirror rows.
import { sql, type Kysely } from 'kysely';
import { newId } from '../core/ids.ts';
import { runDeferred, type AccessRevoker, type ApplyContext, type ApplyOutcome } from '../mirror/context.ts';
import { EVENT_HANDLERS } from '../mirror/handlers.ts';
import type { Database } from '../store/schema.ts';
import { inTenant, type Tx } from '../store/tenant.ts';
import { ScimError } from './errors.ts';
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
  // directory's previous one, even if the clock stepped back: none is ever dropped as stale. One
  // statement takes the organization's lock first (as webhook intake does), then the version.
  const { rows } = await sql<{ version_at: Date }>`
    WITH locked AS (SELECT pg_advisory_xact_lock(hashtext(${`gatehouse.org:${organizationId}`})) AS l)
    UPDATE scim_directories
    SET version_at = date_trunc('milliseconds', greatest(clock_timestamp(), version_at + interval '1 millisecond'))
    FROM locked
    WHERE organization_id = ${organizationId} AND id = ${directoryId} AND deleted_at IS NULL
    RETURNING version_at`.execute(tx);
  const row = rows[0];
  if (!row) throw new ScimError(404, 'Directory not found');
  const at = new Date(row.version_at).toISOString();
  // Event ids increase within the request, so two events of one request touching one row apply
  // in the order they were emitted (the version's tie-break).
  const base = newId('scim_evt');
  let sequence = 0;
  const known = new Set([organizationId]);
  const emit = async (type: string, data: Record<string, unknown>): Promise<ApplyOutcome> => {
    const handler = EVENT_HANDLERS[type];
    if (!handler) throw new TypeError(`no mirror handler for ${type}`);
    const id = `${base}_${String(sequence++).padStart(6, '0')}`;
    const ctx: ApplyContext = {
      tx,
      event: { id, event: type, data: { ...data, organization_id: organizationId }, created_at: at },
      version: { at, eventId: id },
      access,
      note: () => undefined,
      defer: (task) => deferred.push(task),
      knownOrganizations: known,
    };
    return handler(ctx);
  };
  return { tx, at, emit };
}
