// The direct OIDC identity provider (AUTH_PROVIDER=oidc) behind the IdentityProvider port. As with
// the built-in email code, Gatehouse's own tables are the source of truth for users, organizations
// and memberships (those calls are the local provider's), so the sign-in service, picker,
// switching, sessions, audit and revocation are the ones every mode uses. What this adds is who a
// connection's verified claims are — decided here alone, in `signInWithClaims`:
//
//   1. The claims came through the connection's own issuer, the email is present and
//      `email_verified` is true, and its domain is one the connection serves. Otherwise refused.
//   2. The person is the user linked to issuer + subject, if any (emails change; subjects do not).
//   3. Else a user with that email who already is a member of the connection's organization (an
//      invitation, an earlier email-code sign-in) is linked. Never a user known only elsewhere:
//      threat — an organization's admin pointing a connection at an identity provider they run,
//      asserting a victim's address, and inheriting the victim's memberships in other
//      organizations through an organization switch. A stranger to the organization gets a new user.
//   4. The sign-in lands in the connection's organization and nowhere else: a pending invitation
//      there is accepted, no membership is provisioned (the organization's default role), a
//      deactivated one is refused by the sign-in service.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAuditEvent } from '../../audit/audit-log.ts';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Database } from '../../store/schema.ts';
import { asSystem, inTenant } from '../../store/tenant.ts';
import type { LocalIdentityProvider } from '../local/local-provider.ts';
import { upsertUser } from '../../mirror/sign-in-copy.ts';
import type { IdentityProvider, ProviderUser, SignInOutcome } from '../provider.ts';
import type { VerifiedClaims } from './oidc-client.ts';
import { emailDomain, OIDC_CONNECTION_TYPE, type OidcConnection, type OidcConnections } from './oidc-connections.ts';

export type OidcRefusal = 'issuer_mismatch' | 'email_missing' | 'email_unverified' | 'email_domain_not_allowed';

export type OidcOutcome = SignInOutcome | { kind: 'refused'; reason: OidcRefusal };

export interface OidcIdentityProvider extends IdentityProvider {
  readonly name: 'oidc';
  /** After the connection's ID token passed every check: who this is, and the outcome. */
  signInWithClaims(connection: OidcConnection, claims: VerifiedClaims): Promise<OidcOutcome>;
}

export interface OidcProviderDeps {
  db: Kysely<Database>;
  connections: Pick<OidcConnections, 'get'>;
  /** Users, organizations, memberships and the organization picker: the store-backed calls. */
  local: LocalIdentityProvider;
  publicUrl: string;
  clock?: () => number;
}

/** The decision of step 1, pure: why these claims may not sign in through this connection, if they may not. */
export function refusalOf(connection: OidcConnection, claims: VerifiedClaims): OidcRefusal | null {
  if (claims.issuer !== connection.issuer) return 'issuer_mismatch';
  if (!claims.email) return 'email_missing';
  if (!claims.emailVerified) return 'email_unverified';
  const domain = emailDomain(claims.email);
  if (!domain || !connection.domains.includes(domain)) return 'email_domain_not_allowed';
  return null;
}

export function createOidcProvider(deps: OidcProviderDeps): OidcIdentityProvider {
  const { db, local } = deps;
  const clock = deps.clock ?? Date.now;

  /** Steps 2 and 3: the user id this person is, or null for a new one. */
  async function whoIs(connection: OidcConnection, claims: VerifiedClaims, email: string): Promise<string | null> {
    return asSystem(db, 'find the user an OIDC sign-in names', async (tx) => {
      const linked = await tx
        .selectFrom('oidc_identities')
        .select('user_id')
        .where('issuer', '=', claims.issuer)
        .where('subject', '=', claims.subject)
        .executeTakeFirst();
      if (linked) return linked.user_id;
      const member = await tx
        .selectFrom('users as u')
        .innerJoin('organization_memberships as m', 'm.user_id', 'u.id')
        .select('u.id')
        .where(sql<boolean>`lower(u.email) = ${email}`)
        .where('u.deleted_at', 'is', null)
        .where('m.organization_id', '=', connection.organizationId)
        .where('m.deleted_at', 'is', null)
        .orderBy('u.created_at')
        .limit(1)
        .executeTakeFirst();
      return member?.id ?? null;
    });
  }

  return {
    ...local,
    name: 'oidc',

    async signInWithClaims(connection, claims) {
      const refused = refusalOf(connection, claims);
      if (refused) return { kind: 'refused', reason: refused };
      const email = claims.email!;
      const organizationId = connection.organizationId;
      const now = new Date(clock());
      const user: ProviderUser = {
        id: (await whoIs(connection, claims, email)) ?? newId('user'),
        email,
        emailVerified: true,
        firstName: claims.givenName,
        lastName: claims.familyName,
        updatedAt: null,
      };
      const actor = { type: 'user' as const, id: user.id };
      await inTenant(db, organizationId, async (tx) => {
        await upsertUser(tx, user, now);
        await tx
          .insertInto('oidc_identities')
          .values({ issuer: claims.issuer, subject: claims.subject, user_id: user.id, connection_id: connection.id })
          .onConflict((oc) => oc.columns(['issuer', 'subject']).doUpdateSet({ last_sign_in_at: now }))
          .execute();
        const membership = await tx
          .selectFrom('organization_memberships')
          .select(['id', 'status', 'role_slug'])
          .where('organization_id', '=', organizationId)
          .where('user_id', '=', user.id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (membership?.status === 'pending') {
          await tx
            .updateTable('organization_memberships')
            .set({ status: 'active', updated_at: now })
            .where('organization_id', '=', organizationId)
            .where('id', '=', membership.id)
            .execute();
          await appendAuditEvent(tx, {
            organizationId,
            type: 'membership.invitation_accepted',
            actor,
            target: { type: 'membership', id: membership.id },
            data: { userId: user.id, roleSlug: membership.role_slug, method: 'oidc', connectionId: connection.id },
          });
        } else if (!membership) {
          const org = await tx
            .selectFrom('organizations')
            .select('default_role_slug')
            .where('id', '=', organizationId)
            .executeTakeFirstOrThrow();
          const membershipId = newId('om');
          await tx
            .insertInto('organization_memberships')
            .values({
              organization_id: organizationId,
              id: membershipId,
              user_id: user.id,
              role_slug: org.default_role_slug,
              status: 'active',
              source: 'jit',
            })
            .execute();
          await appendAuditEvent(tx, {
            organizationId,
            type: 'membership.sso_provisioned',
            actor,
            target: { type: 'membership', id: membershipId },
            data: { userId: user.id, roleSlug: org.default_role_slug, connectionId: connection.id },
          });
        }
      });
      return {
        kind: 'authenticated',
        result: {
          user,
          organizationId,
          accessToken: '',
          refreshToken: '',
          method: 'sso',
          authenticationMethod: 'OIDC',
          providerSessionId: null,
          impersonator: null,
        },
      };
    },

    authorizationUrl(input) {
      // Gatehouse's own start page: home-realm discovery, or straight on to the organization's connection.
      const q = new URLSearchParams();
      if (input.organizationId) q.set('organizationId', input.organizationId);
      if (input.loginHint) q.set('email', input.loginHint);
      const s = q.toString();
      return `${deps.publicUrl}/auth/sso${s ? `?${s}` : ''}`;
    },

    async authenticateWithCode() {
      // Codes are redeemed at /auth/oidc/callback against the connection sealed in the login state.
      throw new AppError('PROVIDER_GRANT_INVALID', 'Direct OIDC codes are redeemed at /auth/oidc/callback');
    },

    async getConnection(connectionId) {
      const connection = await deps.connections.get(connectionId);
      if (!connection) throw new AppError('PROVIDER_NOT_FOUND', 'No such OIDC connection');
      return {
        id: connection.id,
        organizationId: connection.organizationId,
        type: OIDC_CONNECTION_TYPE,
        name: connection.name,
        state: 'active',
      };
    },
  };
}
