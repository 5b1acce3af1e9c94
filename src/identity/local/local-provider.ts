// The built-in email-code identity provider (AUTH_PROVIDER=local) behind the IdentityProvider port.
// Gatehouse's own tables are the source of truth here: users, organizations and memberships are
// read from (and, for sign-up, written to) the store, so the sign-in service, the organization
// picker, switching, sessions, audit and revocation are the ones WorkOS mode uses. There are no
// provider tokens: a local session is owned by Gatehouse alone and never refreshed anywhere.
//
// Who may enter (LOCAL_SIGNUP), decided once in `signInByEmail` after the code was proven:
//   invitation  a member (an active membership, or a pending one: the invitation is accepted by
//               proving the address) — anyone else is refused as having no membership;
//   domain      the same, plus anyone whose email's verified domain an organization auto-joins;
//   open        the same, plus anyone else, who gets a new organization of their own as its admin.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAuditEvent } from '../../audit/audit-log.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Database } from '../../store/schema.ts';
import { asSystem, inTenant } from '../../store/tenant.ts';
import { findAutoJoinOrganization } from '../auto-join.ts';
import { upsertUser } from '../../mirror/sign-in-copy.ts';
import type { IdentityProvider, ProviderMembership, ProviderUser, SignInOutcome, SignInResult } from '../provider.ts';
import { normalizeEmail } from './email-codes.ts';

export type LocalSignup = 'invitation' | 'domain' | 'open';

export interface LocalProviderDeps {
  db: Kysely<Database>;
  /** GATEHOUSE_SECRET: signs the organization picker's pending token. */
  secret: string;
  publicUrl: string;
  signup: LocalSignup;
  clock?: () => number;
}

/** A proven email that may not enter: answered as MEMBERSHIP_DEACTIVATED / no_membership. */
export type LocalOutcome = SignInOutcome | { kind: 'refused' };

export interface LocalIdentityProvider extends IdentityProvider {
  readonly name: 'local';
  /** After the email's code was redeemed: the sign-in outcome for that address. */
  signInByEmail(email: string): Promise<LocalOutcome>;
}

const PENDING_TTL_MS = 10 * 60_000;

export function createLocalProvider(deps: LocalProviderDeps): LocalIdentityProvider {
  const { db } = deps;
  const clock = deps.clock ?? Date.now;
  const sign = (payload: string) =>
    createHmac('sha256', deps.secret).update(`local-pending\0${payload}`).digest('base64url');

  const authenticated = (user: ProviderUser, organizationId: string | null): SignInOutcome => ({
    kind: 'authenticated',
    result: {
      user,
      organizationId,
      accessToken: '',
      refreshToken: '',
      method: 'email_code',
      authenticationMethod: 'EmailCode',
      providerSessionId: null,
      impersonator: null,
    } satisfies SignInResult,
  });

  const userByEmail = (email: string) =>
    asSystem(db, 'find the user an email sign-in names', (tx) =>
      tx
        .selectFrom('users')
        .selectAll()
        .where(sql<boolean>`lower(email) = ${email}`)
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst(),
    );

  const userById = (id: string) =>
    asSystem(db, 'read the user of a pending organization choice', (tx) =>
      tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    );

  const toUser = (row: {
    id: string;
    email: string;
    first_name: string | null;
    last_name: string | null;
  }): ProviderUser => ({
    id: row.id,
    email: row.email,
    emailVerified: true,
    firstName: row.first_name,
    lastName: row.last_name,
    updatedAt: null,
  });

  async function memberships(filter: {
    userId: string;
    organizationId?: string | undefined;
  }): Promise<Array<ProviderMembership & { organizationName: string }>> {
    const rows = await asSystem(db, "list a user's memberships for the built-in sign-in", (tx) => {
      let q = tx
        .selectFrom('organization_memberships as m')
        .innerJoin('organizations as o', 'o.id', 'm.organization_id')
        .select(['m.id', 'm.user_id', 'm.organization_id', 'm.role_slug', 'm.status', 'o.name'])
        .where('m.user_id', '=', filter.userId)
        .where('m.deleted_at', 'is', null)
        .where('o.deleted_at', 'is', null);
      if (filter.organizationId) q = q.where('m.organization_id', '=', filter.organizationId);
      return q.orderBy('o.name').execute();
    });
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      organizationId: r.organization_id,
      roleSlug: r.role_slug,
      status: r.status,
      updatedAt: null,
      organizationName: r.name,
    }));
  }

  /** Proving the address accepts every pending invitation to it (audited in each organization). */
  async function acceptInvitations(userId: string, pending: ProviderMembership[]): Promise<void> {
    for (const m of pending) {
      await inTenant(db, m.organizationId, async (tx) => {
        const done = await tx
          .updateTable('organization_memberships')
          .set({ status: 'active', updated_at: sql<Date>`now()` })
          .where('organization_id', '=', m.organizationId)
          .where('id', '=', m.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (done.numUpdatedRows === 0n) return;
        await appendAuditEvent(tx, {
          organizationId: m.organizationId,
          type: 'membership.invitation_accepted',
          actor: { type: 'user', id: userId },
          target: { type: 'membership', id: m.id },
          data: { userId, roleSlug: m.roleSlug, method: 'email_code' },
        });
      });
    }
  }

  /** Open sign-up: a new organization whose first member (its admin) is this person. */
  async function createOwnOrganization(user: ProviderUser): Promise<string> {
    const organizationId = newId('org');
    const name = `${user.email.split('@')[0]}'s organization`;
    await asSystem(db, 'create the organization of an open sign-up', (tx) =>
      tx.insertInto('organizations').values({ id: organizationId, name }).execute(),
    );
    await inTenant(db, organizationId, async (tx) => {
      await upsertUser(tx, user, new Date(clock()));
      const membershipId = newId('om');
      await tx
        .insertInto('organization_memberships')
        .values({
          organization_id: organizationId,
          id: membershipId,
          user_id: user.id,
          role_slug: 'admin',
          status: 'active',
          source: 'manual',
        })
        .execute();
      await appendAuditEvent(tx, {
        organizationId,
        type: 'organization.signed_up',
        actor: { type: 'user', id: user.id },
        target: { type: 'organization', id: organizationId },
        data: { userId: user.id, membershipId, roleSlug: 'admin', method: 'email_code' },
      });
    });
    return organizationId;
  }

  const unsupported = (what: string) =>
    new AppError('PROVIDER_INVALID_REQUEST', `The built-in email sign-in has no ${what}`);

  return {
    name: 'local',

    async signInByEmail(rawEmail) {
      const email = normalizeEmail(rawEmail);
      const row = await userByEmail(email);
      const user: ProviderUser = row
        ? toUser(row)
        : { id: newId('user'), email, emailVerified: true, firstName: null, lastName: null, updatedAt: null };
      const all = row ? await memberships({ userId: user.id }) : [];
      const pending = all.filter((m) => m.status === 'pending');
      if (pending.length > 0) await acceptInvitations(user.id, pending);
      const active = all.filter((m) => m.status === 'active' || m.status === 'pending');
      if (active.length > 1) {
        const payload = `${user.id}.${clock() + PENDING_TTL_MS}`;
        return {
          kind: 'organization_selection_required',
          pendingToken: `${payload}.${sign(payload)}`,
          user,
          organizations: active.map((m) => ({ id: m.organizationId, name: m.organizationName })),
        };
      }
      if (active.length === 1) return authenticated(user, active[0]!.organizationId);
      // Only deactivated memberships: the sign-in service records the refusal in that organization.
      if (all.length > 0) return authenticated(user, null);
      if (deps.signup === 'open') return authenticated(user, await createOwnOrganization(user));
      if (deps.signup === 'domain' && (await findAutoJoinOrganization(db, email, true)))
        return authenticated(user, null);
      return { kind: 'refused' };
    },

    authorizationUrl(input) {
      const q = new URLSearchParams();
      if (input.loginHint) q.set('email', input.loginHint);
      const s = q.toString();
      return `${deps.publicUrl}/auth/email${s ? `?${s}` : ''}`;
    },

    async authenticateWithCode() {
      // No authorization-code grant here: codes are redeemed by email at /auth/email/verify.
      throw new AppError('PROVIDER_GRANT_INVALID', 'The built-in email sign-in has no authorization codes');
    },

    async authenticateWithOrganizationSelection({ pendingToken, organizationId }) {
      const [userId, expires, mac] = pendingToken.split('.');
      const payload = `${userId}.${expires}`;
      const good =
        mac !== undefined &&
        Buffer.byteLength(mac) === Buffer.byteLength(sign(payload)) &&
        timingSafeEqual(Buffer.from(mac), Buffer.from(sign(payload)));
      if (!good || !userId) throw new AppError('PROVIDER_GRANT_INVALID', 'The organization choice is not valid');
      if (clock() >= Number(expires)) throw new AppError('PROVIDER_GRANT_EXPIRED', 'The organization choice expired');
      const row = await userById(userId);
      const member = row
        ? (await memberships({ userId, organizationId })).find((m) => m.status === 'active')
        : undefined;
      if (!row || !member) throw new AppError('PROVIDER_GRANT_INVALID', 'The organization choice is not valid');
      return authenticated(toUser(row), organizationId);
    },

    async refresh() {
      // Local sessions hold no provider tokens; the session service never refreshes them.
      throw new AppError('PROVIDER_REJECTED', 'The built-in email sign-in has no tokens to refresh');
    },

    async revokeSession() {
      // No provider session to end: revocation is the session row itself.
    },

    logoutUrl(input) {
      return input.returnTo ?? `${deps.publicUrl}/`;
    },

    async createPasswordReset() {
      // No passwords here; resolves alike for every email (no enumeration).
    },

    async resetPassword() {
      throw unsupported('passwords');
    },

    async getConnection() {
      throw new AppError('PROVIDER_NOT_FOUND', 'The built-in email sign-in has no SSO connections');
    },

    async getOrganization(organizationId) {
      const org = await asSystem(db, 'read an organization for the built-in sign-in', (tx) =>
        tx.selectFrom('organizations').select(['id', 'name']).where('id', '=', organizationId).executeTakeFirst(),
      );
      if (!org) throw new AppError('PROVIDER_NOT_FOUND', 'No such organization');
      return { id: org.id, name: org.name, domains: [] };
    },

    async listMemberships(filter) {
      return (await memberships(filter)).map(({ organizationName: _n, ...m }) => m);
    },

    async createMembership(input) {
      // Written to the store by the sign-in that asked (identity/sign-in.ts mirrors and audits it).
      return { id: newId('om'), ...input, status: 'active', updatedAt: new Date(clock()).toISOString() };
    },
  };
}
