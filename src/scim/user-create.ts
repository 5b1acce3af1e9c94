// POST /Users under an identity provider's initial push: thousands of creates, several clients at
// once. Creates of one directory that arrive while an earlier one is in flight are committed
// together (group commit): one transaction inserts their SCIM rows in one statement, and their
// dsync.user.created events go through the mirror's set-based path (mirror/directory-batch.ts, the
// one the WorkOS webhook queue uses), which ends exactly where the handlers, one after the other,
// would have — and refuses (the handlers then run, in the same transaction) whenever a person's
// access could change, so provisioning and revocation stay with the handlers.
//
// Each create keeps its own outcome: a taken userName (in the store, or earlier in the same
// group) is its 409 and writes nothing for it; a group whose transaction fails is retried one
// create at a time, so one bad create never fails or changes another.
import { sql, type Kysely, type Selectable } from 'kysely';
import { newId } from '../core/ids.ts';
import { applyDirectoryBatch } from '../mirror/directory-batch.ts';
import { batchItemOf, type BatchItem } from '../mirror/directory-batch-plan.ts';
import type { Database, ScimUsersTable } from '../store/schema.ts';
import { ScimError } from '../../protocols/scim/errors.ts';
import { scimCreate, scimCreateVersion, type ScimWrite, type ScimWriteDeps } from './apply.ts';
import type { ScimDirectory } from './http.ts';
import { userFields } from './resources.ts';

export type ScimUserRow = Selectable<ScimUsersTable>;

/** What a create stores: the validated resource less server attributes, and its indexed fields. */
export interface NewScimUser {
  userName: string;
  externalId: string | null;
  active: boolean;
  /** The stored representation (resources.ts storedUser). */
  resource: Record<string, unknown>;
}

/** The dsync.user.* `data` the mirror's handlers read, from the stored SCIM user. */
export function userWire(dir: ScimDirectory, row: Pick<ScimUserRow, 'id' | 'resource' | 'active'>) {
  const f = userFields({ ...row.resource, active: row.active });
  return {
    id: row.id,
    directory_id: dir.directoryId,
    organization_id: dir.organizationId,
    idp_id: f.externalId ?? f.userName,
    email: f.email,
    first_name: f.firstName,
    last_name: f.lastName,
    state: f.active ? 'active' : 'inactive',
    emails: f.emails,
  };
}

/** Creates in one group at most; a push of ten clients rarely has more than ten waiting. */
const MAX_GROUP = 100;

interface Waiting {
  user: NewScimUser;
  resolve(row: ScimUserRow): void;
  reject(error: unknown): void;
}

interface Lane {
  waiting: Waiting[];
  running: boolean;
}

// Per store (database handle) and directory; no global. A lane exists while creates are queued.
const lanes = new WeakMap<Kysely<Database>, Map<string, Lane>>();

/** Creates the SCIM user and applies its dsync.user.created; the stored row, or a ScimError. */
export function createScimUser(deps: ScimWriteDeps, dir: ScimDirectory, user: NewScimUser): Promise<ScimUserRow> {
  const byDirectory = lanes.get(deps.db) ?? new Map<string, Lane>();
  lanes.set(deps.db, byDirectory);
  let lane = byDirectory.get(dir.directoryId);
  if (!lane) {
    lane = { waiting: [], running: false };
    byDirectory.set(dir.directoryId, lane);
  }
  const queued = new Promise<ScimUserRow>((resolve, reject) => lane.waiting.push({ user, resolve, reject }));
  pump(deps, dir, byDirectory, lane);
  return queued;
}

// One group in flight per directory: what arrives meanwhile waits and goes in the next group.
function pump(deps: ScimWriteDeps, dir: ScimDirectory, byDirectory: Map<string, Lane>, lane: Lane): void {
  if (lane.running) return;
  if (lane.waiting.length === 0) {
    byDirectory.delete(dir.directoryId);
    return;
  }
  lane.running = true;
  const group = lane.waiting.splice(0, MAX_GROUP);
  void runGroup(deps, dir, group).finally(() => {
    lane.running = false;
    pump(deps, dir, byDirectory, lane);
  });
}

async function runGroup(deps: ScimWriteDeps, dir: ScimDirectory, group: Waiting[]): Promise<void> {
  if (group.length > 1) {
    try {
      const outcomes = await createTogether(
        deps,
        dir,
        group.map((w) => w.user),
      );
      for (const [i, w] of group.entries()) {
        const outcome = outcomes[i]!;
        if (outcome instanceof ScimError) w.reject(outcome);
        else w.resolve(outcome);
      }
      return;
    } catch {
      // The group's transaction rolled back (nothing of it stays): each create alone, below, gets
      // the answer it would have had without the others.
    }
  }
  await Promise.all(
    group.map((w) =>
      createOne(deps, dir, w.user).then(
        (row) => w.resolve(row),
        (error: unknown) => w.reject(error),
      ),
    ),
  );
}

function taken(userName: string): ScimError {
  return new ScimError(409, `A user with userName ${userName} already exists`, 'uniqueness');
}

/** One create, its own transaction, through the handler. */
async function createOne(deps: ScimWriteDeps, dir: ScimDirectory, user: NewScimUser): Promise<ScimUserRow> {
  const [outcome] = await insertUsers(deps, dir, [user], async (rows, open) => {
    const row = rows[0];
    if (row) await open(row.updated_at).emit('dsync.user.created', userWire(dir, row));
  });
  if (outcome instanceof ScimError) throw outcome;
  return outcome!;
}

/** Several creates, one transaction; the mirror's set-based path when it takes them. */
function createTogether(
  deps: ScimWriteDeps,
  dir: ScimDirectory,
  users: NewScimUser[],
): Promise<Array<ScimUserRow | ScimError>> {
  return insertUsers(deps, dir, users, async (rows, open, tx) => {
    const writes = rows.map((row) => ({ row, write: open(row.updated_at) }));
    const events = writes.map(({ row, write }) => write.event('dsync.user.created', userWire(dir, row)));
    const items = events.map((e) => batchItemOf(e, dir.organizationId));
    if (items.length > 1 && items.every((i): i is BatchItem => i !== null)) {
      if (await applyDirectoryBatch(tx, dir.organizationId, items)) return;
    }
    // Someone's access could change (or there is one row): the handlers decide, one event each.
    for (const { row, write } of writes) await write.emit('dsync.user.created', userWire(dir, row));
  });
}

/**
 * Inserts `users` in one statement inside scimCreate (the organization's lock held shared), then
 * lets `apply` emit the events of the rows inserted. Per user: the row, or the ScimError it gets.
 */
async function insertUsers(
  deps: ScimWriteDeps,
  dir: ScimDirectory,
  users: NewScimUser[],
  apply: (rows: ScimUserRow[], open: (at: Date | string) => ScimWrite, tx: ScimWrite['tx']) => Promise<void>,
): Promise<Array<ScimUserRow | ScimError>> {
  return scimCreate(deps, dir, async (tx, open) => {
    const values = users.map((u, i) => ({
      i,
      id: newId('directory_user'),
      user_name: u.userName,
      external_id: u.externalId,
      active: u.active,
      resource: u.resource,
    }));
    // One statement checks the directory is live, stamps the version and inserts, in arrival
    // order; a userName already taken (or taken by a create committing meanwhile, or earlier in
    // this group) inserts nothing.
    const { rows } = await sql<ScimUserRow>`
      INSERT INTO scim_users
        (organization_id, directory_id, id, user_name, external_id, active, resource, created_at, updated_at)
      SELECT d.organization_id, d.id, v.id, v.user_name, v.external_id, v.active, v.resource, s.at, s.at
      FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
          AS v(i int, id text, user_name text, external_id text, active boolean, resource jsonb)
        JOIN scim_directories d
          ON d.organization_id = ${dir.organizationId} AND d.id = ${dir.directoryId} AND d.deleted_at IS NULL
        CROSS JOIN LATERAL (SELECT ${scimCreateVersion} AS at) s
      ORDER BY v.i
      ON CONFLICT DO NOTHING
      RETURNING *`.execute(tx);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const inserted = values.map((v) => byId.get(v.id));
    await apply(
      inserted.filter((r): r is ScimUserRow => r !== undefined),
      open,
      tx,
    );
    if (inserted.every((r) => r !== undefined)) return inserted;
    // Not inserted: its userName is taken, or the directory is gone.
    const missing = users.filter((_, i) => !inserted[i]).map((u) => u.userName.toLowerCase());
    const { rows: names } = await sql<{ name: string }>`SELECT lower(user_name) AS name FROM scim_users
      WHERE organization_id = ${dir.organizationId} AND directory_id = ${dir.directoryId}
        AND lower(user_name) = ANY(${missing}::text[])`.execute(tx);
    const existing = new Set(names.map((n) => n.name));
    return users.map(
      (u, i) =>
        inserted[i] ??
        (existing.has(u.userName.toLowerCase()) ? taken(u.userName) : new ScimError(404, 'Directory not found')),
    );
  });
}
