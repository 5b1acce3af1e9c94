// THE decision point (DESIGN.md §3.7): a request's credential, the organization it acts in and
// what it needs in, an AuthContext or a coded refusal out. The /api/v1 routes, the admin pages and
// the library middleware (src/http/middleware/require-auth.ts) all call `decide`; none of them
// decides on its own. Framework-free: it reads web-standard Headers and nothing of Hono.
//
// What is decided, in this order (so nothing leaks across tenants):
//   1. who is calling — the credential verified for its own kind (access-verifier.ts), which also
//      decides whether it is revoked and whether the organization's sign-in policy is met (SSO
//      through the organization's own connection; core/sign-in-policy.ts)            401
//   2. super-admin-only routes — anyone else is told nothing exists                     404
//   3. which organization — the one in the path must be the credential's, except for a super-admin
//      entering it (the caller audits the entry); another tenant's id is a miss        404
//   4. with which permissions — the role's, in that organization                       403
//   5. impersonation — an impersonated session may not create API keys, change sign-in policy or
//      change roles (threat: a support admin minting a credential that outlives the impersonation,
//      or loosening the tenant's security while wearing the user's identity)       403, own code
//
// Exported API:
//   decideAccess({ credential, method, organizationId?, permission?, ... }) -> AccessDecision
//     `credential()` is step 1: the access verifier on the request's headers (createAccessDecision
//     wires it), or a test double standing in for the verifier
//   authorizeAccess(request) -> { auth, superAdminEntry } or throws the refusal
//   createAccessDecision({ verifier }) -> { decide({ headers, ... }), authorize({ headers, ... }) }
//   organizationRefusal(auth, organizationId, { allowSuperAdmin }), SENSITIVE_PERMISSIONS
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import type { Permission } from '../core/permissions.ts';
import type { AccessVerifier } from './access-verifier.ts';

export interface AccessTarget {
  method: string;
  /** The organization the request acts in (the path's), when it names one. */
  organizationId?: string | undefined;
  /** The permission needed there (Gatehouse's own or the app's, e.g. notes:write); null or absent: any verified caller. */
  permission?: string | null | undefined;
  superAdminOnly?: boolean | undefined;
  /** Set on actions that change roles, even where their permission is not a sensitive one. */
  changesRoles?: boolean | undefined;
  /** The action exists only in the caller's own organization (no super-admin entry). */
  ownOrganizationOnly?: boolean | undefined;
}

export interface AccessRequest extends AccessTarget {
  /** Who is calling: resolves the request's credential or throws its coded 401. */
  credential(): Promise<AuthContext>;
}

export interface HeadersRequest extends AccessTarget {
  /** The request's headers: the credential is read from Authorization or the session cookie. */
  headers: Headers;
  sourceIp?: string | undefined;
}

export type AccessDecision =
  | { allowed: true; auth: AuthContext; superAdminEntry: boolean }
  | { allowed: false; error: AppError; auth?: AuthContext };

export interface AccessDecisionPoint {
  decide(request: HeadersRequest): Promise<AccessDecision>;
  /** `decide`, throwing the refusal. */
  authorize(request: HeadersRequest): Promise<{ auth: AuthContext; superAdminEntry: boolean }>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Changing what these guard is what an impersonated session may not do. */
const SENSITIVE_PERMISSIONS: ReadonlySet<string> = new Set<Permission>([
  'api_keys:manage',
  'sso:manage',
  'roles:manage',
]);

const notFound = () => new AppError('RESOURCE_NOT_FOUND', 'Not found');

/** Rule 3 alone, for callers that learn the organization after authenticating (library routes). */
export function organizationRefusal(
  auth: AuthContext,
  organizationId: string,
  options: { allowSuperAdmin?: boolean } = {},
): AppError | null {
  if (auth.organizationId === organizationId) return null;
  return options.allowSuperAdmin && auth.isSuperAdmin ? null : notFound();
}

export async function decideAccess(request: AccessRequest): Promise<AccessDecision> {
  let auth: AuthContext;
  try {
    auth = await request.credential();
  } catch (error) {
    if (error instanceof AppError) return { allowed: false, error };
    throw error;
  }
  if (request.superAdminOnly && !auth.isSuperAdmin) return { allowed: false, error: notFound(), auth };
  const orgId = request.organizationId;
  const superAdminEntry = orgId !== undefined && orgId !== auth.organizationId;
  if (superAdminEntry) {
    const refusal = organizationRefusal(auth, orgId, { allowSuperAdmin: !request.ownOrganizationOnly });
    if (refusal) return { allowed: false, error: refusal, auth };
  }
  // A super-admin inside another tenant acts with the super-admin's reach, not a role there.
  const permission = request.permission ?? null;
  if (permission && !superAdminEntry && !auth.permissions.includes(permission)) {
    return { allowed: false, error: new AppError('AUTH_FORBIDDEN', `This needs the ${permission} permission`), auth };
  }
  const changes = !SAFE_METHODS.has(request.method.toUpperCase());
  const sensitive = request.changesRoles || (permission !== null && SENSITIVE_PERMISSIONS.has(permission));
  if (auth.impersonator && changes && sensitive) {
    return {
      allowed: false,
      auth,
      error: new AppError(
        'AUTH_IMPERSONATION_FORBIDDEN',
        'An impersonated session cannot create API keys, change sign-in policy or change roles',
      ),
    };
  }
  return { allowed: true, auth, superAdminEntry };
}

export async function authorizeAccess(
  request: AccessRequest,
): Promise<{ auth: AuthContext; superAdminEntry: boolean }> {
  const decision = await decideAccess(request);
  if (!decision.allowed) throw decision.error;
  return { auth: decision.auth, superAdminEntry: decision.superAdminEntry };
}

export function createAccessDecision(deps: { verifier: Pick<AccessVerifier, 'verify'> }): AccessDecisionPoint {
  const fromHeaders = ({ headers, sourceIp, ...target }: HeadersRequest): AccessRequest => ({
    ...target,
    credential: () => deps.verifier.verify({ headers }, sourceIp ? { sourceIp } : {}),
  });
  return {
    decide: (request) => decideAccess(fromHeaders(request)),
    authorize: (request) => authorizeAccess(fromHeaders(request)),
  };
}
