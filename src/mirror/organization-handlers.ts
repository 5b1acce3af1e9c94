// organization.*, organization_domain.* and connection.* into the mirror.
import { sql } from 'kysely';
import { z } from 'zod';
import type { DomainState } from '../store/schema.ts';
import {
  audit,
  ensureOrganization,
  parseData,
  providerActor,
  type ApplyContext,
  type ApplyOutcome,
} from './context.ts';
import { lockLinkEmails } from './link-locks.ts';
import { syncDirectoryUserAccess } from './provisioning.ts';
import { createdFlag, insertedFlag, newerThanRow, versionColumns } from './version.ts';

const OrganizationSchema = z.object({ id: z.string(), name: z.string(), external_id: z.string().nullish() });
const DomainSchema = z.object({
  id: z.string(),
  organization_id: z.string(),
  domain: z.string(),
  state: z.string().nullish(),
});
const ConnectionSchema = z.object({
  id: z.string(),
  organization_id: z.string(),
  connection_type: z.string().nullish(),
  name: z.string().nullish(),
  state: z.string().nullish(),
});

async function writeOrganization(
  ctx: ApplyContext,
  o: z.infer<typeof OrganizationSchema>,
  deleted: boolean,
): Promise<boolean> {
  const values = {
    name: o.name,
    external_id: o.external_id ?? null,
    deleted_at: deleted ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  if (!deleted && o.external_id) {
    // WorkOS keeps external ids unique, so another mirrored organization still holding this one
    // was deleted or replaced without our hearing of it (a missed event, a reset environment):
    // it gives the id up rather than block the organization that holds it now.
    await ctx.tx
      .updateTable('organizations')
      .set({ external_id: null, updated_at: sql`now()` })
      .where('external_id', '=', o.external_id)
      .where('id', '!=', o.id)
      .execute();
  }
  const row = await ctx.tx
    .insertInto('organizations')
    .values({ id: o.id, ...values })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('organizations', ctx.version))
        .where('organizations.deleted_at', 'is', null),
    )
    .returning([createdFlag('organizations')])
    .executeTakeFirst();
  if (row) ctx.note('organizations', deleted ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  return row !== undefined;
}

async function onOrganization(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  const o = parseData(OrganizationSchema, ctx);
  if (!(await writeOrganization(ctx, o, deleted))) return 'stale';
  const type = deleted
    ? 'organization.deleted'
    : ctx.event.event === 'organization.created'
      ? 'organization.created'
      : 'organization.updated';
  await audit(ctx, o.id, type, providerActor(ctx.event), { type: 'organization', id: o.id }, { name: o.name });
  if (deleted) await ctx.access.revoke(ctx.tx, { kind: 'organization', organizationId: o.id, reason: 'deleted' });
  return 'applied';
}

// WorkOS reports `unverified` for a domain not yet checked; the mirror calls that pending.
function domainState(state: string | null | undefined): DomainState {
  return state === 'verified' || state === 'failed' || state === 'legacy_verified' ? state : 'pending';
}

async function onDomain(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  // verification_failed wraps the domain: { reason, organization_domain }.
  const wrapped = ctx.event.data.organization_domain;
  const d = parseData(
    DomainSchema,
    wrapped && typeof wrapped === 'object'
      ? { ...ctx, event: { ...ctx.event, data: wrapped as Record<string, unknown> } }
      : ctx,
  );
  await ensureOrganization(ctx, d.organization_id);
  const state = ctx.event.event === 'organization_domain.verification_failed' ? 'failed' : domainState(d.state);
  const verified = !deleted && (state === 'verified' || state === 'legacy_verified');
  // Directory users on this domain (stable: their writes hold the organization's lock too) wait
  // for a Gatehouse user; lock their emails before the domain is written and before any audit
  // append, so a concurrent user.* of one of them either commits first or sees this domain.
  const waiting = verified
    ? await ctx.tx
        .selectFrom('directory_users')
        .select(['id', 'email'])
        .where('organization_id', '=', d.organization_id)
        .where('user_id', 'is', null)
        .where(sql`lower(split_part(email, '@', 2))`, '=', d.domain.toLowerCase())
        .orderBy('id')
        .execute()
    : [];
  await lockLinkEmails(
    ctx.tx,
    waiting.map((w) => w.email),
  );
  const values = {
    domain: d.domain,
    state,
    deleted_at: deleted ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('organization_domains')
    .values({ organization_id: d.organization_id, id: d.id, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('organization_domains', ctx.version))
        .where('organization_domains.deleted_at', 'is', null),
    )
    .returning([insertedFlag])
    .executeTakeFirst();
  if (!row) return 'stale';
  ctx.note('domains', deleted ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  await audit(
    ctx,
    d.organization_id,
    deleted ? 'organization.domain_removed' : 'organization.domain_changed',
    providerActor(ctx.event),
    { type: 'domain', id: d.id },
    { domain: d.domain, state },
  );
  // Directory users on a domain verified just now may be linked (and provisioned or, if suspended
  // or deleted, deprovisioned) from now on.
  for (const w of waiting) await syncDirectoryUserAccess(ctx, d.organization_id, w.id);
  return 'applied';
}

/**
 * connection.* keeps each organization's SSO state truthful: the mirror holds every connection
 * the provider reports and its state, and a deleted connection disables SSO for the organization
 * (`sso.connection_removed`). Enforcement reads whether an active connection exists.
 */
async function onConnection(ctx: ApplyContext, change: 'active' | 'inactive' | 'deleted'): Promise<ApplyOutcome> {
  const c = parseData(ConnectionSchema, ctx);
  await ensureOrganization(ctx, c.organization_id);
  const values = {
    connection_type: c.connection_type ?? 'unknown',
    name: c.name ?? null,
    state: change === 'deleted' ? 'deleted' : change,
    deleted_at: change === 'deleted' ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('sso_connections')
    .values({ organization_id: c.organization_id, id: c.id, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('sso_connections', ctx.version))
        .where('sso_connections.deleted_at', 'is', null),
    )
    .returning([insertedFlag])
    .executeTakeFirst();
  if (!row) return 'stale';
  ctx.note('connections', change === 'deleted' ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  let ssoDisabled = false;
  if (change === 'deleted') {
    // The sign-in engineer's sso_configs must not keep naming a connection that no longer exists:
    // SSO for the organization is disabled (and enforcement with it) in this same transaction.
    const disabled = await ctx.tx
      .updateTable('sso_configs')
      .set({ enabled: false, enforced: false, connection_id: null, provider: null, updated_at: sql`now()` })
      .where('organization_id', '=', c.organization_id)
      .where('connection_id', '=', c.id)
      .returning(sql<boolean>`true`.as('done'))
      .execute();
    ssoDisabled = disabled.length > 0;
  }
  const type =
    change === 'deleted'
      ? 'sso.connection_removed'
      : change === 'active'
        ? 'sso.connection_activated'
        : 'sso.connection_deactivated';
  await audit(
    ctx,
    c.organization_id,
    type,
    providerActor(ctx.event),
    { type: 'connection', id: c.id },
    { connectionId: c.id, connectionType: values.connection_type, ssoDisabled },
  );
  return 'applied';
}

export const organizationHandlers = {
  'organization.created': (ctx: ApplyContext) => onOrganization(ctx, false),
  'organization.updated': (ctx: ApplyContext) => onOrganization(ctx, false),
  'organization.deleted': (ctx: ApplyContext) => onOrganization(ctx, true),
  'organization_domain.created': (ctx: ApplyContext) => onDomain(ctx, false),
  'organization_domain.updated': (ctx: ApplyContext) => onDomain(ctx, false),
  'organization_domain.verified': (ctx: ApplyContext) => onDomain(ctx, false),
  'organization_domain.verification_failed': (ctx: ApplyContext) => onDomain(ctx, false),
  'organization_domain.deleted': (ctx: ApplyContext) => onDomain(ctx, true),
  'connection.activated': (ctx: ApplyContext) => onConnection(ctx, 'active'),
  'connection.deactivated': (ctx: ApplyContext) => onConnection(ctx, 'inactive'),
  'connection.deleted': (ctx: ApplyContext) => onConnection(ctx, 'deleted'),
};
