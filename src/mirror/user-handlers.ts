// user.*, organization_membership.*, invitation.* and session.* into the mirror.
import { sql } from 'kysely';
import { z } from 'zod';
import { newId } from '../core/ids.ts';
import type { MembershipSource, MembershipStatus } from '../store/schema.ts';
import {
  audit,
  ensureOrganization,
  ensureUser,
  parseData,
  providerActor,
  type ApplyContext,
  type ApplyOutcome,
} from './context.ts';
import { mirroredRoleSlug } from './role-slugs.ts';
import { lockLinkEmails, lockLinkUsers } from './link-locks.ts';
import { enforceDirectoryOnMember, linkDirectoryUsersOf, recomputeMember } from './provisioning.ts';
import { createdFlag, insertedFlag, newerThanRow, versionColumns } from './version.ts';

const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  email_verified: z.boolean().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  external_id: z.string().nullish(),
  last_sign_in_at: z.string().nullish(),
});
const MembershipSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  organization_id: z.string(),
  status: z.enum(['active', 'inactive', 'pending']),
  role: z.object({ slug: z.string() }).nullish(),
  directory_managed: z.boolean().nullish(),
});
const InvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  state: z.string(),
  organization_id: z.string().nullish(),
  role_slug: z.string().nullish(),
  accepted_user_id: z.string().nullish(),
  expires_at: z.string().nullish(),
});
const SessionSchema = z.object({
  id: z.string(),
  user_id: z.string().nullish(),
  organization_id: z.string().nullish(),
});

async function writeUser(ctx: ApplyContext, u: z.infer<typeof UserSchema>, deleted: boolean): Promise<boolean> {
  // No organization lock covers a user event: the link locks order it against the directory user,
  // domain and membership writes that decide the same link (link-locks.ts).
  await lockLinkUsers(ctx.tx, [u.id]);
  await lockLinkEmails(ctx.tx, [u.email]);
  const values = {
    email: u.email,
    email_verified: u.email_verified ?? false,
    first_name: u.first_name ?? null,
    last_name: u.last_name ?? null,
    external_id: u.external_id ?? null,
    last_sign_in_at: u.last_sign_in_at ?? null,
    deleted_at: deleted ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('users')
    .values({ id: u.id, ...values })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('users', ctx.version))
        .where('users.deleted_at', 'is', null),
    )
    .returning([createdFlag('users')])
    .executeTakeFirst();
  if (row) ctx.note('users', deleted ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  return row !== undefined;
}

async function onUser(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  const u = parseData(UserSchema, ctx);
  if (!(await writeUser(ctx, u, deleted))) return 'stale';
  const memberships = await ctx.tx
    .selectFrom('organization_memberships')
    .select(['organization_id', 'id', 'status'])
    .where('user_id', '=', u.id)
    .where('deleted_at', 'is', null)
    .execute();
  if (deleted) {
    await ctx.access.revoke(ctx.tx, { kind: 'user', userId: u.id });
    for (const m of memberships) {
      await ctx.tx
        .updateTable('organization_memberships')
        .set({ status: 'inactive', deleted_at: ctx.version.at, updated_at: sql`now()` })
        .where('organization_id', '=', m.organization_id)
        .where('id', '=', m.id)
        .execute();
      await ctx.access.revokeCredentials?.(ctx, {
        organizationId: m.organization_id,
        userId: u.id,
        reason: 'user_deleted',
      });
      await audit(ctx, m.organization_id, 'user.deleted', providerActor(ctx.event), { type: 'user', id: u.id });
    }
    return 'applied';
  }
  // Users are global; their audit entries go to each organization they belong to.
  for (const m of memberships)
    await audit(
      ctx,
      m.organization_id,
      ctx.event.event === 'user.created' ? 'user.created' : 'user.updated',
      providerActor(ctx.event),
      { type: 'user', id: u.id },
    );
  await linkDirectoryUsersOf(ctx, u.id, u.email);
  return 'applied';
}

/**
 * A membership created locally (directory provisioning, an accepted invitation) may later be
 * announced by the provider under its own id: adopt the provider's id rather than hold two rows.
 */
async function adoptLocalMembership(
  ctx: ApplyContext,
  organizationId: string,
  userId: string,
  id: string,
): Promise<void> {
  await ctx.tx
    .updateTable('organization_memberships')
    .set({ id })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('id', '!=', id)
    .where('provider_updated_at', 'is', null)
    // Never onto an id the mirror already holds (say, that membership's tombstone): keep both.
    .where(
      sql<boolean>`NOT EXISTS (SELECT 1 FROM organization_memberships taken WHERE taken.organization_id = ${organizationId} AND taken.id = ${id})`,
    )
    .execute();
}

async function onMembership(ctx: ApplyContext, deleted: boolean): Promise<ApplyOutcome> {
  const m = parseData(MembershipSchema, ctx);
  await ensureOrganization(ctx, m.organization_id);
  await lockLinkUsers(ctx.tx, [m.user_id]);
  await ensureUser(ctx.tx, m.user_id);
  // Read after the user lock: a user.* of this person committed before it is seen here.
  const email =
    (await ctx.tx.selectFrom('users').select('email').where('id', '=', m.user_id).executeTakeFirst())?.email ?? null;
  await lockLinkEmails(ctx.tx, [email]);
  await adoptLocalMembership(ctx, m.organization_id, m.user_id, m.id);
  const status: MembershipStatus = deleted ? 'inactive' : m.status;
  // A membership that follows an accepted invitation came from that invitation, whichever event lands first.
  const invited =
    !m.directory_managed &&
    (await ctx.tx
      .selectFrom('invitations')
      .select('id')
      .where('organization_id', '=', m.organization_id)
      .where('accepted_user_id', '=', m.user_id)
      .where('state', '=', 'accepted')
      .executeTakeFirst());
  const source: MembershipSource = m.directory_managed ? 'directory' : invited ? 'invitation' : 'manual';
  const values = {
    user_id: m.user_id,
    role_slug: await mirroredRoleSlug(ctx.tx, m.organization_id, m.role?.slug ?? 'member'),
    status,
    deleted_at: deleted ? ctx.version.at : null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('organization_memberships')
    .values({ organization_id: m.organization_id, id: m.id, source, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('organization_memberships', ctx.version))
        .where('organization_memberships.deleted_at', 'is', null),
    )
    .returning([insertedFlag])
    .executeTakeFirst();
  if (!row) return 'stale';
  ctx.note('memberships', deleted || status === 'inactive' ? 'deprovisioned' : row.inserted ? 'created' : 'updated');
  // Any change can lower what the member may do; cached credentials must re-resolve.
  if (!row.inserted)
    await ctx.access.revoke(ctx.tx, { kind: 'membership', organizationId: m.organization_id, userId: m.user_id });
  if (deleted || status === 'inactive')
    await ctx.access.revokeCredentials?.(ctx, {
      organizationId: m.organization_id,
      userId: m.user_id,
      reason: 'membership_removed',
    });
  const type = deleted ? 'membership.removed' : row.inserted ? 'membership.created' : 'membership.updated';
  await audit(
    ctx,
    m.organization_id,
    type,
    providerActor(ctx.event),
    { type: 'user', id: m.user_id },
    { role: values.role_slug, status },
  );
  if (!deleted) await enforceDirectoryOnMember(ctx, m.organization_id, m.user_id, email);
  // A directory group mapping outranks the provider's copy of the role: re-assert it (and write it
  // back to the provider), so events and full reconciles converge on the mapping.
  if (!deleted && status === 'active') await recomputeMember(ctx, m.organization_id, m.user_id);
  return 'applied';
}

async function onInvitation(ctx: ApplyContext): Promise<ApplyOutcome> {
  const inv = parseData(InvitationSchema, ctx);
  if (!inv.organization_id) return 'applied'; // an app-level invitation: no tenant to mirror it in
  const org = inv.organization_id;
  // WorkOS spells a custom role `org-<slug>`; the mirror keeps Gatehouse's slug (core/role-slugs.ts).
  const invitedRole = inv.role_slug ? await mirroredRoleSlug(ctx.tx, org, inv.role_slug) : null;
  await ensureOrganization(ctx, org);
  const values = {
    email: inv.email,
    state: inv.state,
    role_slug: invitedRole,
    accepted_user_id: inv.accepted_user_id ?? null,
    expires_at: inv.expires_at ?? null,
    ...versionColumns(ctx.version),
  };
  const row = await ctx.tx
    .insertInto('invitations')
    .values({ organization_id: org, id: inv.id, ...values })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'id'])
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where(newerThanRow('invitations', ctx.version)),
    )
    .returning([insertedFlag])
    .executeTakeFirst();
  if (!row) return 'stale';
  ctx.note('invitations', row.inserted ? 'created' : 'updated');
  await audit(
    ctx,
    org,
    `invitation.${ctx.event.event.split('.')[1]}`,
    providerActor(ctx.event),
    { type: 'invitation', id: inv.id },
    { email: inv.email, role: invitedRole },
  );
  if (ctx.event.event === 'invitation.accepted' && inv.accepted_user_id)
    await membershipFromInvitation(ctx, org, inv.accepted_user_id, invitedRole);
  return 'applied';
}

/** An accepted invitation becomes an active membership with the role given at invite time. */
async function membershipFromInvitation(
  ctx: ApplyContext,
  organizationId: string,
  userId: string,
  roleSlug: string | null,
): Promise<void> {
  await ensureUser(ctx.tx, userId);
  const existing = await ctx.tx
    .selectFrom('organization_memberships')
    .select(['id', 'status', 'role_slug'])
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  const org = await ctx.tx
    .selectFrom('organizations')
    .select('default_role_slug')
    .where('id', '=', organizationId)
    .executeTakeFirst();
  const role = roleSlug ?? org?.default_role_slug ?? 'member';
  if (existing) {
    // The provider's own membership event may already have landed; only fill what it lacks, and
    // say where the membership came from (the provider's event could only say "not directory").
    if (existing.status === 'pending')
      await ctx.tx
        .updateTable('organization_memberships')
        .set({ status: 'active', role_slug: role })
        .where('organization_id', '=', organizationId)
        .where('id', '=', existing.id)
        .execute();
    await ctx.tx
      .updateTable('organization_memberships')
      .set({ source: 'invitation' })
      .where('organization_id', '=', organizationId)
      .where('id', '=', existing.id)
      .where('source', '=', 'manual')
      .execute();
    return;
  }
  await ctx.tx
    .insertInto('organization_memberships')
    .values({
      organization_id: organizationId,
      id: newId('om'),
      user_id: userId,
      role_slug: role,
      status: 'active',
      source: 'invitation',
    })
    .execute();
  ctx.note('memberships', 'created');
  await audit(
    ctx,
    organizationId,
    'membership.created',
    providerActor(ctx.event),
    { type: 'user', id: userId },
    { role, source: 'invitation' },
  );
}

/** session.revoked at the provider: end our sessions that hold that provider session. */
async function onSessionRevoked(ctx: ApplyContext): Promise<ApplyOutcome> {
  const s = parseData(SessionSchema, ctx);
  if (ctx.access.endProviderSession) {
    await ctx.access.endProviderSession(ctx, s.id);
    return 'applied';
  }
  const rows = await sql<{
    id: string;
  }>`SELECT id FROM sessions WHERE workos_session_id = ${s.id} AND revoked_at IS NULL`.execute(ctx.tx);
  for (const r of rows.rows) await ctx.access.revoke(ctx.tx, { kind: 'session', sessionId: r.id });
  return 'applied';
}

export const userHandlers = {
  'user.created': (ctx: ApplyContext) => onUser(ctx, false),
  'user.updated': (ctx: ApplyContext) => onUser(ctx, false),
  'user.deleted': (ctx: ApplyContext) => onUser(ctx, true),
  'organization_membership.created': (ctx: ApplyContext) => onMembership(ctx, false),
  'organization_membership.updated': (ctx: ApplyContext) => onMembership(ctx, false),
  'organization_membership.deleted': (ctx: ApplyContext) => onMembership(ctx, true),
  'invitation.created': onInvitation,
  'invitation.accepted': onInvitation,
  'invitation.revoked': onInvitation,
  'invitation.resent': onInvitation,
  'session.revoked': onSessionRevoked,
};
