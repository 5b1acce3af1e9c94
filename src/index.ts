// The library surface: `import { createAccessVerifier } from 'gatehouse'` lets an app backend turn
// a request into an AuthContext without running the Gatehouse server.
export { createAccessVerifier } from './access/access-verifier.ts';
export type { AccessVerifier, AccessVerifierOptions } from './access/access-verifier.ts';
// The install's permissions (Gatehouse's and the app's), for `createAccessVerifier({ permissions })`.
export { createPermissionCatalogue, parseAppPermissions } from './core/permission-catalogue.ts';
export type { AppPermission, PermissionCatalogue, PermissionEntry } from './core/permission-catalogue.ts';
export type { AuthContext, Principal, AuthMethod, RevocationEvent } from './core/auth-context.ts';
// The decision point itself: credential, organization, permission and impersonation in one answer.
export { createAccessDecision, decideAccess } from './access/access-decision.ts';
export type { AccessDecision, AccessDecisionPoint, AccessRequest, HeadersRequest } from './access/access-decision.ts';
