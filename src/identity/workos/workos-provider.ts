// The WorkOS adapter of the IdentityProvider port: every call goes through the unmodified
// `@workos-inc/node` SDK (DESIGN.md §2), pointed at api.workos.com or at the emulator through
// `apiHostname` / `port` / `https`. SDK shapes (camelCase already) become our domain types in the
// small mappers at the bottom; every failure passes through classifyWorkosError, once.
import { providerRoleSlug } from '../../core/role-slugs.ts';
import { createWorkosClient, type WorkosClientOptions } from './sdk-client.ts';
import type { AuthenticationResponse, OrganizationMembership, User } from '@workos-inc/node';
import { decodeJwt } from 'jose';
import type {
  AuthorizationUrlInput,
  IdentityProvider,
  ProviderMembership,
  ProviderUser,
  RequestMeta,
  SignInOutcome,
  SignInResult,
} from '../provider.ts';
import { methodKindOf } from '../provider.ts';
import { classifyWorkosError, toAppError } from './errors.ts';

/** Sign-in needs a client id; otherwise the same options as every WorkOS client. */
export interface WorkosProviderOptions extends WorkosClientOptions {
  clientId: string;
}

export function createWorkosProvider(options: WorkosProviderOptions): IdentityProvider {
  if (!options.apiKey) throw new TypeError('createWorkosProvider needs an API key (WORKOS_API_KEY)');
  if (!options.clientId) throw new TypeError('createWorkosProvider needs a client id (WORKOS_CLIENT_ID)');
  const workos = createWorkosClient(options);
  const um = workos.userManagement;
  const clientId = options.clientId;

  /** Runs an authenticate call, turning step answers into outcomes and the rest into AppErrors. */
  async function signIn(operation: string, call: () => Promise<AuthenticationResponse>): Promise<SignInOutcome> {
    try {
      return { kind: 'authenticated', result: toSignInResult(await call()) };
    } catch (thrown) {
      const failure = classifyWorkosError(thrown, operation);
      if (failure.kind === 'step') return failure.step;
      throw failure.error;
    }
  }

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (thrown) {
      throw toAppError(thrown, operation);
    }
  }

  const meta = (m: RequestMeta) => ({
    ...(m.ipAddress ? { ipAddress: m.ipAddress } : {}),
    ...(m.userAgent ? { userAgent: m.userAgent } : {}),
  });

  return {
    name: 'workos',

    authorizationUrl(input: AuthorizationUrlInput): string {
      return um.getAuthorizationUrl({
        clientId,
        redirectUri: input.redirectUri,
        state: input.state,
        codeChallenge: input.codeChallenge,
        codeChallengeMethod: 'S256',
        // An organization or connection sends the user straight to its SSO; otherwise AuthKit's page.
        ...(input.connectionId
          ? { connectionId: input.connectionId }
          : input.organizationId
            ? { organizationId: input.organizationId }
            : { provider: 'authkit' }),
        ...(input.loginHint ? { loginHint: input.loginHint } : {}),
        ...(input.screenHint ? { screenHint: input.screenHint } : {}),
        ...(input.invitationToken ? { invitationToken: input.invitationToken } : {}),
      });
    },

    authenticateWithCode(input) {
      return signIn('code exchange', () =>
        um.authenticateWithCode({ clientId, code: input.code, codeVerifier: input.codeVerifier, ...meta(input) }),
      );
    },

    authenticateWithOrganizationSelection(input) {
      return signIn('organization selection', () =>
        um.authenticateWithOrganizationSelection({
          clientId,
          pendingAuthenticationToken: input.pendingToken,
          organizationId: input.organizationId,
          ...meta(input),
        }),
      );
    },

    async refresh(input): Promise<SignInResult> {
      const outcome = await signIn('refresh', () =>
        um.authenticateWithRefreshToken({
          clientId,
          refreshToken: input.refreshToken,
          ...(input.organizationId ? { organizationId: input.organizationId } : {}),
        }),
      );
      if (outcome.kind === 'authenticated') return outcome.result;
      // A step during refresh (e.g. SSO now required) means the session cannot continue as it is.
      throw toAppError({ status: 403, code: outcome.kind }, 'refresh');
    },

    async revokeSession(providerSessionId) {
      await call('revoke session', async () => {
        try {
          await um.revokeSession({ sessionId: providerSessionId });
        } catch (thrown) {
          // Already ended (expired, or revoked by another instance): the goal is reached.
          const t = thrown as { status?: unknown; code?: unknown; rawData?: { code?: unknown } };
          if (t.status === 404 || t.code === 'session_not_found' || t.rawData?.code === 'session_not_found') return;
          throw thrown;
        }
      });
    },

    logoutUrl(input) {
      return um.getLogoutUrl({
        sessionId: input.providerSessionId,
        ...(input.returnTo ? { returnTo: input.returnTo } : {}),
      });
    },

    async createPasswordReset(email) {
      try {
        await um.createPasswordReset({ email });
      } catch (thrown) {
        const error = toAppError(thrown, 'password reset');
        // Unknown email: answer exactly as for a known one, so the route cannot be used to
        // discover who has an account. Outages still surface (the caller decides what to show).
        if (error.code === 'PROVIDER_NOT_FOUND' || error.code === 'PROVIDER_INVALID_REQUEST') return;
        throw error;
      }
    },

    async resetPassword(input) {
      await call('password reset confirmation', () =>
        um.resetPassword({ token: input.token, newPassword: input.newPassword }),
      );
    },

    async getConnection(connectionId) {
      const c = await call('get connection', () => workos.sso.getConnection(connectionId));
      return { id: c.id, organizationId: c.organizationId ?? null, type: c.type, name: c.name, state: c.state };
    },

    async getOrganization(organizationId) {
      const o = await call('get organization', () => workos.organizations.getOrganization(organizationId));
      return { id: o.id, name: o.name, domains: o.domains.map((d) => ({ domain: d.domain, state: String(d.state) })) };
    },

    async listMemberships(filter) {
      return call('list memberships', async () => {
        const page = await um.listOrganizationMemberships({
          userId: filter.userId,
          ...(filter.organizationId ? { organizationId: filter.organizationId } : {}),
          statuses: ['active', 'inactive', 'pending'],
          limit: 100,
        });
        return (await page.autoPagination()).map(toMembership);
      });
    },

    async createMembership(input) {
      return toMembership(
        await call('create membership', () =>
          um.createOrganizationMembership({
            userId: input.userId,
            organizationId: input.organizationId,
            roleSlug: providerRoleSlug(input.roleSlug),
          }),
        ),
      );
    },
  };
}

function toUser(u: User): ProviderUser {
  return {
    id: u.id,
    email: u.email,
    emailVerified: u.emailVerified,
    firstName: u.firstName,
    lastName: u.lastName,
    updatedAt: u.updatedAt ?? null,
  };
}

/** The SDK's membership in our domain shape: one mapping for sign-in and administration alike. */
export function toMembership(m: OrganizationMembership): ProviderMembership & { updatedAt: string } {
  return {
    id: m.id,
    userId: m.userId,
    organizationId: m.organizationId,
    roleSlug: m.role?.slug ?? 'member',
    status: m.status,
    updatedAt: m.updatedAt,
  };
}

/** The access token's `sid` names the WorkOS session; read without verifying (we just received it from WorkOS over TLS). */
function sessionIdOf(accessToken: string): string | null {
  try {
    const sid = decodeJwt(accessToken).sid;
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}

function toSignInResult(r: AuthenticationResponse): SignInResult {
  return {
    user: toUser(r.user),
    organizationId: r.organizationId ?? null,
    accessToken: r.accessToken,
    refreshToken: r.refreshToken,
    ...(r.authenticationMethod ? { authenticationMethod: r.authenticationMethod } : {}),
    method: methodKindOf(r.authenticationMethod),
    providerSessionId: sessionIdOf(r.accessToken),
    impersonator: r.impersonator ? { email: r.impersonator.email, reason: r.impersonator.reason ?? null } : null,
  };
}
