// Completing a sign-in: from what the identity provider answered to exactly one response type.
// LOGIN_SUCCESSFUL creates our server-side session, mirrors the user and membership and appends
// `auth.signed_in`, all in one transaction in the organization's chain; the refusals are audited
// there too (`auth.sso_required`, `auth.membership_deactivated`). HTTP lives in src/http/routes.
import type { Kysely } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import { inTenant } from '../store/tenant.ts';
import { meetsSignInPolicy, NO_SSO, viaOwnConnection, type SignInBinding } from '../core/sign-in-policy.ts';
import type { SessionAuthMethod, SessionService } from '../sessions/session-service.ts';
import type { ChosenConnection } from './login-state.ts';
import { readSsoConfig } from '../sso/sso-config.ts';
import { findAutoJoinOrganization } from './auto-join.ts';
import {
  mirrorSignInOrganization,
  organizationExists,
  readMembership,
  stampMembershipSignIn,
  upsertMembership,
  upsertUser,
} from '../mirror/sign-in-copy.ts';
import type {
  IdentityProvider,
  ProviderMembership,
  RequestMeta,
  SignInMethodKind,
  SignInOutcome,
  SignInResult,
} from './provider.ts';

export type CallbackResult =
  | {
      responseType: 'LOGIN_SUCCESSFUL';
      organizationId: string;
      userId: string;
      sessionId: string;
      setCookie: string;
      returnTo: string;
    }
  | {
      responseType: 'ORGANIZATION_SELECTION_REQUIRED';
      userId: string;
      email: string;
      pendingToken: string;
      organizations: Array<{ id: string; name: string }>;
    }
  | {
      responseType: 'MEMBERSHIP_DEACTIVATED';
      organizationId: string | null;
      reason: 'membership_inactive' | 'no_membership' | 'organization_deleted';
    }
  | { responseType: 'SSO_REQUIRED'; organizationId: string | null; connectionId: string | null }
  | { responseType: 'LINK_INVALID'; reason: string }
  | { responseType: 'LINK_EXPIRED'; reason: string };

export interface SignInServiceDeps {
  db: Kysely<Database>;
  provider: IdentityProvider;
  sessions: Pick<SessionService, 'create'>;
  /** Told when ending a provider session we refused failed (it then lapses at the provider). */
  onProviderSessionNotEnded: (error: unknown) => void;
  clock?: () => number;
}

export type SignInContext = {
  returnTo: string;
  connection?: ChosenConnection | undefined;
  /** `code`: the outcome is the code exchange's own answer (not the organization picker's). */
  source?: 'code' | 'selection' | undefined;
} & RequestMeta;

/**
 * What this sign-in provably came through (core/sign-in-policy.ts). When Gatehouse chose the
 * connection, the provider's answer must agree with it: method SSO, into that organization.
 * When it chose none (AuthKit's page routed the email to its organization's connection), the code
 * exchange's own answer names the organization: WorkOS scopes an SSO sign-in to its connection's
 * organization. Never an organization reached afterwards — through the picker, or a refresh
 * Gatehouse made to scope the session — since those keep the method "SSO" for any organization.
 */
function bindingOf(
  answered: Pick<SignInResult, 'method' | 'organizationId'>,
  ctx: Pick<SignInContext, 'connection' | 'source'>,
): SignInBinding {
  if (answered.method !== 'sso' || !answered.organizationId) return NO_SSO;
  if (ctx.connection) {
    if (answered.organizationId !== ctx.connection.organizationId) return NO_SSO;
    return { ssoConnectionId: ctx.connection.connectionId, ssoOrganizationId: ctx.connection.organizationId };
  }
  return ctx.source === 'code' ? { ssoConnectionId: null, ssoOrganizationId: answered.organizationId } : NO_SSO;
}

export interface SignInService {
  /**
   * Turns a provider outcome (code exchange, organization selection) into a response type.
   * `connection`: the SSO connection Gatehouse named in the authorization URL (from the sealed
   * login state); without it no sign-in counts as SSO through any organization's connection.
   */
  complete(outcome: SignInOutcome, ctx: SignInContext): Promise<CallbackResult>;
}

const SESSION_METHOD: Record<SignInMethodKind, SessionAuthMethod> = {
  sso: 'sso',
  password: 'password',
  magic_auth: 'magic_auth',
  oauth: 'oauth',
  passkey: 'passkey',
  impersonation: 'impersonation',
  email_code: 'email_code',
  // Provider methods we do not model (CrossAppAuth, MigratedSession…): never SSO, so enforcement applies.
  other: 'oauth',
};

export function createSignInService(deps: SignInServiceDeps): SignInService {
  const { db, provider, sessions } = deps;
  const clock = deps.clock ?? Date.now;

  /** The provider session we will not honour is ended there too, best effort. */
  const dropProviderSession = async (result: SignInResult) => {
    if (!result.providerSessionId) return;
    await provider.revokeSession(result.providerSessionId).catch(deps.onProviderSessionNotEnded);
  };

  /**
   * Scopes a sign-in to an organization: at the provider by its refresh grant, or — a sign-in with
   * no provider tokens (the built-in email code) — here alone, since nothing outside holds a session.
   */
  const scopeTo = async (result: SignInResult, organizationId: string): Promise<SignInResult> => {
    if (!result.refreshToken) return { ...result, organizationId };
    const scoped = await provider.refresh({ refreshToken: result.refreshToken, organizationId });
    return { ...scoped, method: result.method, authenticationMethod: result.authenticationMethod };
  };

  /** A sign-in without an organization: auto-join by verified domain, or there is nothing to enter. */
  async function resolveOrganization(
    result: SignInResult,
  ): Promise<
    { result: SignInResult; joined: ProviderMembership | null; membership?: ProviderMembership } | CallbackResult
  > {
    const memberships = await provider.listMemberships({ userId: result.user.id });
    const active = memberships.filter((m) => m.status === 'active');
    if (active.length === 1) {
      return { result: await scopeTo(result, active[0]!.organizationId), joined: null };
    }
    if (active.length === 0) {
      const target =
        memberships.length === 0
          ? await findAutoJoinOrganization(db, result.user.email, result.user.emailVerified)
          : null;
      if (target) {
        const joined = await provider.createMembership({
          userId: result.user.id,
          organizationId: target.organizationId,
          roleSlug: target.roleSlug,
        });
        return { result: await scopeTo(result, target.organizationId), joined };
      }
      // A deactivated membership: continue into that organization, whose transaction mirrors the
      // status and records the refused sign-in in its chain before answering MEMBERSHIP_DEACTIVATED.
      const inactive = memberships.find((m) => m.status === 'inactive');
      if (inactive)
        return { result: { ...result, organizationId: inactive.organizationId }, joined: null, membership: inactive };
      await dropProviderSession(result);
      return { responseType: 'MEMBERSHIP_DEACTIVATED', organizationId: null, reason: 'no_membership' };
    }
    // Several active memberships and no selection step: the provider should have asked; do not guess.
    throw new AppError('PROVIDER_REJECTED', 'The identity provider returned no organization for a member of several');
  }

  async function completeAuthenticated(first: SignInResult, ctx: SignInContext): Promise<CallbackResult> {
    // Decided on the provider's first answer, before any refresh of ours re-scopes the session.
    const answered = bindingOf(first, ctx);
    let result = first;
    let joined: ProviderMembership | null = null;
    let known: ProviderMembership | null = null;
    if (!result.organizationId) {
      const resolved = await resolveOrganization(result);
      if ('responseType' in resolved) return resolved;
      ({ result, joined } = resolved);
      known = resolved.membership ?? null;
    }
    const organizationId = result.organizationId!;
    const org = await organizationExists(db, organizationId);
    if (!org) await mirrorSignInOrganization(db, await provider.getOrganization(organizationId));
    if (org?.deleted) {
      await dropProviderSession(result);
      return { responseType: 'MEMBERSHIP_DEACTIVATED', organizationId, reason: 'organization_deleted' };
    }
    const fromProvider =
      joined ?? known ?? (await provider.listMemberships({ userId: result.user.id, organizationId }))[0] ?? null;
    const now = new Date(clock());
    const user = { type: 'user' as const, id: result.user.id };

    const outcome = await inTenant(db, organizationId, async (tx): Promise<CallbackResult> => {
      await upsertUser(tx, result.user, now);
      const membership = fromProvider
        ? await upsertMembership(tx, fromProvider, joined ? 'jit' : 'manual')
        : await readMembership(tx, organizationId, result.user.id);
      if (joined) {
        await appendAuditEvent(tx, {
          organizationId,
          type: 'membership.auto_joined',
          actor: user,
          target: { type: 'membership', id: joined.id },
          data: { userId: result.user.id, roleSlug: joined.roleSlug, domain: result.user.email.split('@')[1] ?? null },
        });
      }
      if (membership?.status !== 'active') {
        await appendAuditEvent(tx, {
          organizationId,
          type: 'auth.membership_deactivated',
          actor: user,
          target: { type: 'user', id: result.user.id },
          data: { method: result.method, membershipStatus: membership?.status ?? null },
        });
        return {
          responseType: 'MEMBERSHIP_DEACTIVATED',
          organizationId,
          reason: membership ? 'membership_inactive' : 'no_membership',
        };
      }
      const sso = await readSsoConfig(tx, organizationId);
      const binding = answered.ssoOrganizationId === organizationId ? answered : NO_SSO;
      if (!meetsSignInPolicy(organizationId, sso, binding)) {
        await appendAuditEvent(tx, {
          organizationId,
          type: 'auth.sso_required',
          actor: user,
          target: { type: 'user', id: result.user.id },
          data: {
            method: result.method,
            authenticationMethod: result.authenticationMethod,
            connectionId: sso.connectionId,
            signedInThrough: binding.ssoConnectionId,
          },
        });
        return { responseType: 'SSO_REQUIRED', organizationId, connectionId: sso.connectionId };
      }
      const created = await sessions.create(tx, {
        organizationId,
        userId: result.user.id,
        // A direct OIDC sign-in holds no provider tokens: its session is Gatehouse's own.
        authMethod: provider.name === 'oidc' && result.method === 'sso' ? 'oidc' : SESSION_METHOD[result.method],
        role: membership.roleSlug,
        workosSessionId: result.providerSessionId,
        accessToken: result.accessToken,
        refreshToken: result.refreshToken,
        binding,
        impersonator: result.impersonator,
      });
      // last_sso_sign_in_at only for SSO through this organization's own connection.
      await stampMembershipSignIn(
        tx,
        organizationId,
        membership.id,
        now,
        viaOwnConnection(organizationId, sso, binding),
      );
      await appendAuditEvent(tx, {
        organizationId,
        type: 'auth.signed_in',
        actor: user,
        target: { type: 'session', id: created.sessionId },
        data: {
          method: result.method,
          authenticationMethod: result.authenticationMethod,
          role: membership.roleSlug,
          ...(result.impersonator ? { impersonator: result.impersonator.email } : {}),
          ...(ctx.ipAddress ? { ipAddress: ctx.ipAddress } : {}),
        },
      });
      return {
        responseType: 'LOGIN_SUCCESSFUL',
        organizationId,
        userId: result.user.id,
        sessionId: created.sessionId,
        setCookie: created.setCookie,
        returnTo: ctx.returnTo,
      };
    });
    if (outcome.responseType !== 'LOGIN_SUCCESSFUL') await dropProviderSession(result);
    return outcome;
  }

  return {
    async complete(outcome, ctx) {
      switch (outcome.kind) {
        case 'authenticated':
          return completeAuthenticated(outcome.result, ctx);
        case 'organization_selection_required':
          return {
            responseType: 'ORGANIZATION_SELECTION_REQUIRED',
            userId: outcome.user.id,
            email: outcome.user.email,
            pendingToken: outcome.pendingToken,
            organizations: outcome.organizations,
          };
        case 'sso_required': {
          const connectionId = outcome.connectionIds[0] ?? null;
          const connection = connectionId ? await provider.getConnection(connectionId).catch(() => null) : null;
          return { responseType: 'SSO_REQUIRED', organizationId: connection?.organizationId ?? null, connectionId };
        }
        case 'email_verification_required':
          return { responseType: 'LINK_INVALID', reason: 'email_verification_required' };
        case 'mfa_required':
          return { responseType: 'LINK_INVALID', reason: 'mfa_required' };
      }
    },
  };
}
