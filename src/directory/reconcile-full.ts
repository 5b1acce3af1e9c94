// `reconcile --full`: list everything the provider holds and repair the mirror where it differs.
// A difference is applied by the same handler an event would go through, fed the listed entity as
// a synthetic event whose version is the time the listing started: any real event created after
// that is newer and still wins, and rows that already match are left alone (counted unchanged).
// Rows the mirror holds but the listing lacks were deleted at the provider without us hearing it:
// they get the deletion handler, with the deprovisioning that implies.
import { mirroredRoleSlug } from '../mirror/role-slugs.ts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { asSystem } from '../store/tenant.ts';
import type { ProviderEvent } from '../mirror/provider-event.ts';
import { EVENT_HANDLERS } from '../mirror/handlers.ts';
import { runDeferred, type AccessRevoker, type ApplyContext, type MirrorKind } from '../mirror/context.ts';
import { count, type DriftReport } from './drift-report.ts';
import type { DirectoryClient } from './workos-client.ts';

/** What a reconciliation run (incremental or full) works with. */
export interface ReconcileDeps {
  db: Kysely<Database>;
  client: DirectoryClient;
  access: AccessRevoker;
}

type Wire = Record<string, unknown>;

interface FullRun {
  deps: ReconcileDeps;
  report: DriftReport;
  at: string;
  runId: string;
}

async function apply(run: FullRun, type: string, data: Wire, organizationId: string): Promise<void> {
  const event: ProviderEvent = { id: run.runId, event: type, data, created_at: run.at };
  const changes: Array<[MirrorKind, Parameters<ApplyContext['note']>[1]]> = [];
  const deferred: Array<() => Promise<unknown>> = [];
  await asSystem(run.deps.db, 'full reconciliation repairs every tenant', async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`gatehouse.org:${organizationId}`}))`.execute(tx);
    await EVENT_HANDLERS[type]!({
      tx,
      event,
      access: run.deps.access,
      version: { at: run.at, eventId: null },
      note: (kind, change) => changes.push([kind, change]),
      defer: (t) => deferred.push(t),
    });
  });
  for (const [kind, change] of changes) count(run.report, kind, change);
  await runDeferred(deferred);
}

// Every mirrored table and the drift-report kind its rows count under.
const VERSIONED_TABLES: ReadonlyArray<[string, MirrorKind]> = [
  ['organizations', 'organizations'],
  ['users', 'users'],
  ['organization_memberships', 'memberships'],
  ['organization_domains', 'domains'],
  ['directories', 'directories'],
  ['directory_users', 'directory_users'],
  ['directory_groups', 'directory_groups'],
  ['directory_group_members', 'group_members'],
  ['invitations', 'invitations'],
  ['sso_connections', 'connections'],
];

/**
 * A row whose stored version is later than the run's start was written by an event dated in the
 * future (before such times were clamped at intake, or by a clock error): no event would ever be
 * newer, so the row is frozen. Its version is brought back to the run's start, so the listing
 * below (and every later event) can repair it.
 */
async function repairFutureVersions(run: FullRun): Promise<number> {
  let total = 0;
  await asSystem(run.deps.db, 'full reconciliation repairs every tenant', async (tx) => {
    for (const [table, kind] of VERSIONED_TABLES) {
      const { rows } = await sql<{ n: number }>`WITH fixed AS (
        UPDATE ${sql.table(table)} SET provider_updated_at = ${run.at}::timestamptz, last_event_id = NULL
        WHERE provider_updated_at > ${run.at}::timestamptz RETURNING 1)
        SELECT count(*)::int AS n FROM fixed`.execute(tx);
      const n = Number(rows[0]?.n ?? 0);
      if (n > 0) count(run.report, kind, 'updated', n);
      total += n;
    }
  });
  return total;
}

const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function primaryEmail(u: Wire): string | null {
  const emails = Array.isArray(u.emails) ? (u.emails as Wire[]) : [];
  return s(u.email) ?? s(emails.find((e) => e.primary)?.value) ?? s(emails[0]?.value);
}

export async function reconcileFull(
  deps: ReconcileDeps,
  report: DriftReport,
  options: { organizationId?: string | undefined; onProgress: (m: string) => void },
): Promise<void> {
  const run: FullRun = { deps, report, at: new Date().toISOString(), runId: `reconcile_${Date.now()}` };
  const { client, db } = deps;
  const read = <T>(fn: Parameters<typeof asSystem<T>>[2]) => asSystem(db, 'full reconciliation reads the mirror', fn);
  const only = options.organizationId;
  const future = await repairFutureVersions(run);
  if (future > 0) options.onProgress(`full: ${future} rows dated in the future brought back to now`);

  const orgs: Wire[] = [];
  for await (const o of client.listAll('/organizations')) if (!only || o.id === only) orgs.push(o);
  options.onProgress(`full: ${orgs.length} organizations`);
  for (const o of orgs) {
    const row = await read((tx) =>
      tx
        .selectFrom('organizations')
        .select(['name', 'external_id', 'deleted_at'])
        .where('id', '=', s(o.id)!)
        .executeTakeFirst(),
    );
    if (row && row.deleted_at === null && row.name === o.name && row.external_id === s(o.external_id))
      count(report, 'organizations', 'unchanged');
    else await apply(run, 'organization.updated', o, s(o.id)!);
  }

  let users = 0;
  for await (const u of client.listAll('/user_management/users')) {
    users++;
    const row = await read((tx) =>
      tx
        .selectFrom('users')
        .select(['email', 'first_name', 'last_name', 'email_verified', 'deleted_at'])
        .where('id', '=', s(u.id)!)
        .executeTakeFirst(),
    );
    const same =
      row &&
      row.deleted_at === null &&
      row.email === u.email &&
      row.first_name === s(u.first_name) &&
      row.last_name === s(u.last_name) &&
      row.email_verified === (u.email_verified === true);
    if (same) count(report, 'users', 'unchanged');
    else await apply(run, 'user.updated', u, '');
  }
  options.onProgress(`full: ${users} users`);

  for (const o of orgs) {
    const orgId = s(o.id)!;
    await reconcileMemberships(run, orgId);
    // A provider without organization roles must not stop the repair of everything else.
    await reconcileOrganizationRoles(run, orgId).catch((error: unknown) =>
      options.onProgress(`full: roles of ${orgId} skipped (${(error as Error).message})`),
    );
    for await (const d of client.listAll('/directories', { organization_id: orgId }))
      await reconcileDirectory(run, orgId, d);
    // Directories the mirror holds that the provider no longer lists were deleted unheard.
    const listed = new Set<string>();
    for await (const d of client.listAll('/directories', { organization_id: orgId })) listed.add(s(d.id)!);
    const mirrored = await read((tx) =>
      tx
        .selectFrom('directories')
        .select(['id', 'name', 'type', 'state'])
        .where('organization_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .execute(),
    );
    for (const d of mirrored)
      if (!listed.has(d.id)) await apply(run, 'dsync.deleted', { ...d, organization_id: orgId }, orgId);
    options.onProgress(`full: organization ${orgId} done`);
  }
}

async function reconcileMemberships(run: FullRun, orgId: string): Promise<void> {
  const listed = new Set<string>();
  for await (const m of run.deps.client.listAll('/user_management/organization_memberships', {
    organization_id: orgId,
    statuses: 'active,inactive,pending',
  })) {
    listed.add(s(m.id)!);
    const row = await asSystem(run.deps.db, 'full reconciliation reads the mirror', (tx) =>
      tx
        .selectFrom('organization_memberships')
        .select(['role_slug', 'status', 'deleted_at'])
        .where('organization_id', '=', orgId)
        .where('id', '=', s(m.id)!)
        .executeTakeFirst(),
    );
    const role = s((m.role as Wire | undefined)?.slug);
    if (row && row.deleted_at === null && row.status === m.status && row.role_slug === role)
      count(run.report, 'memberships', 'unchanged');
    else await apply(run, 'organization_membership.updated', m, orgId);
  }
  // Only rows the provider announced (they carry a provider version) can be judged missing there.
  const mirrored = await asSystem(run.deps.db, 'full reconciliation reads the mirror', (tx) =>
    tx
      .selectFrom('organization_memberships')
      .select(['id', 'user_id', 'status', 'role_slug'])
      .where('organization_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .where('provider_updated_at', 'is not', null)
      .execute(),
  );
  for (const m of mirrored) {
    if (!listed.has(m.id))
      await apply(
        run,
        'organization_membership.deleted',
        { id: m.id, user_id: m.user_id, organization_id: orgId, status: m.status, role: { slug: m.role_slug } },
        orgId,
      );
  }
}

async function reconcileDirectory(run: FullRun, orgId: string, d: Wire): Promise<void> {
  const { client, db } = run.deps;
  const dirId = s(d.id)!;
  const read = <T>(fn: Parameters<typeof asSystem<T>>[2]) => asSystem(db, 'full reconciliation reads the mirror', fn);
  const state = d.state === 'linked' ? 'active' : d.state === 'unlinked' ? 'inactive' : s(d.state);
  const dir = await read((tx) =>
    tx
      .selectFrom('directories')
      .select(['name', 'state', 'deleted_at'])
      .where('organization_id', '=', orgId)
      .where('id', '=', dirId)
      .executeTakeFirst(),
  );
  if (dir && dir.deleted_at === null && dir.name === d.name && dir.state === state)
    count(run.report, 'directories', 'unchanged');
  else await apply(run, 'dsync.activated', { ...d, state }, orgId);

  const groups = new Map<string, Wire>();
  for await (const g of client.listAll('/directory_groups', { directory: dirId })) groups.set(s(g.id)!, g);
  const mirroredGroups = new Map(
    (
      await read((tx) =>
        tx
          .selectFrom('directory_groups')
          .select(['id', 'name', 'idp_id', 'deleted_at'])
          .where('organization_id', '=', orgId)
          .where('directory_id', '=', dirId)
          .execute(),
      )
    ).map((g) => [g.id, g]),
  );
  for (const [id, g] of groups) {
    const m = mirroredGroups.get(id);
    if (m && m.deleted_at === null && m.name === g.name) count(run.report, 'directory_groups', 'unchanged');
    else await apply(run, 'dsync.group.updated', g, orgId);
  }

  const users = new Map<string, Wire>();
  const pairs = new Set<string>();
  for await (const u of client.listAll('/directory_users', { directory: dirId })) {
    users.set(s(u.id)!, u);
    for (const g of (Array.isArray(u.groups) ? u.groups : []) as Wire[]) pairs.add(`${s(g.id)}|${s(u.id)}`);
  }
  const mirroredUsers = new Map(
    (
      await read((tx) =>
        tx
          .selectFrom('directory_users')
          .selectAll()
          .where('organization_id', '=', orgId)
          .where('directory_id', '=', dirId)
          .execute(),
      )
    ).map((u) => [u.id, u]),
  );
  for (const [id, u] of users) {
    const m = mirroredUsers.get(id);
    const { groups: _groups, ...wire } = u;
    if (
      m &&
      m.deleted_at === null &&
      m.state === u.state &&
      m.email === primaryEmail(u) &&
      m.first_name === s(u.first_name) &&
      m.last_name === s(u.last_name)
    )
      count(run.report, 'directory_users', 'unchanged');
    else await apply(run, 'dsync.user.updated', wire, orgId);
  }
  for (const [id, m] of mirroredUsers) {
    if (m.deleted_at !== null || users.has(id)) continue;
    await apply(
      run,
      'dsync.user.deleted',
      {
        id,
        directory_id: dirId,
        organization_id: orgId,
        idp_id: m.idp_id,
        email: m.email,
        first_name: m.first_name,
        last_name: m.last_name,
        state: m.state,
      },
      orgId,
    );
  }
  for (const [id, g] of mirroredGroups) {
    if (g.deleted_at !== null || groups.has(id)) continue;
    await apply(
      run,
      'dsync.group.deleted',
      { id, directory_id: dirId, organization_id: orgId, idp_id: g.idp_id, name: g.name },
      orgId,
    );
  }

  // Group memberships: the listed pairs against the mirror's present pairs.
  const present = await read((tx) =>
    tx
      .selectFrom('directory_group_members')
      .select(['group_id', 'directory_user_id'])
      .where('organization_id', '=', orgId)
      .where('directory_id', '=', dirId)
      .where('present', '=', true)
      .execute(),
  );
  const presentSet = new Set(present.map((p) => `${p.group_id}|${p.directory_user_id}`));
  for (const pair of pairs) {
    if (presentSet.has(pair)) {
      count(run.report, 'group_members', 'unchanged');
      continue;
    }
    const [groupId, userId] = pair.split('|') as [string, string];
    const { groups: _g, ...user } = users.get(userId)!;
    const group = groups.get(groupId);
    if (group) await apply(run, 'dsync.group.user_added', { directory_id: dirId, user, group }, orgId);
  }
  for (const pair of presentSet) {
    if (pairs.has(pair)) continue;
    const [groupId, userId] = pair.split('|') as [string, string];
    const user = users.get(userId);
    const group = groups.get(groupId);
    // A pair whose user or group is gone was closed by that deletion above.
    if (user && group) {
      const { groups: _g, ...u } = user;
      await apply(run, 'dsync.group.user_removed', { directory_id: dirId, user: u, group }, orgId);
    }
  }
}

/**
 * The organization's own roles defined at the provider (its custom roles): mirrored so a member
 * holding one resolves to its permissions and the roles page lists it. A role created here first
 * (no provider version) is never overwritten, nor a newer provider copy by an older listing.
 */
async function reconcileOrganizationRoles(run: FullRun, orgId: string): Promise<void> {
  for await (const r of run.deps.client.listAll(`/organizations/${orgId}/roles`)) {
    if (r.type !== 'OrganizationRole' || !s(r.slug) || !s(r.name)) continue;
    const values = {
      name: s(r.name)!,
      description: s(r.description) ?? '',
      provider_updated_at: s(r.updated_at) ?? run.at,
      permissions: Array.isArray(r.permissions) ? r.permissions.filter((p): p is string => typeof p === 'string') : [],
    };
    await asSystem(run.deps.db, 'full reconciliation repairs every tenant', async (tx) => {
      // A role Gatehouse made at WorkOS comes back as `org-<slug>`: it is that role, not a new one.
      const slug = await mirroredRoleSlug(tx, orgId, s(r.slug)!);
      const row = await tx
        .insertInto('organization_roles')
        .values({ organization_id: orgId, slug, ...values })
        .onConflict((oc) =>
          oc
            .columns(['organization_id', 'slug'])
            .doUpdateSet({ ...values, updated_at: sql`now()` })
            .where('organization_roles.provider_updated_at', 'is not', null)
            .where('organization_roles.provider_updated_at', '<', sql<Date>`excluded.provider_updated_at`),
        )
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .executeTakeFirst();
      if (row?.inserted) {
        await appendAuditEvent(tx, {
          organizationId: orgId,
          type: 'role.created',
          actor: { type: 'provider_event', id: null },
          target: { type: 'role', id: slug },
          data: { name: values.name, permissions: values.permissions, via: 'reconcile' },
        });
      }
    });
  }
}
