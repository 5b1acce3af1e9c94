// Assembles /api/v1: every route group, and the OpenAPI document generated from the same
// declarations at /api/v1/openapi.json.
import type { Hono } from 'hono';
import { createPermissionCatalogue, type PermissionCatalogue } from '../../core/permission-catalogue.ts';
import type { OrganizationAdmin } from '../../identity/organization-admin.ts';
import type { Store } from '../../store/store.ts';
import { Api, type ApiDeps } from './define-api.ts';
import { unavailable } from './unavailable.ts';
import { adminPortalRoutes } from './routes/admin-portal.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import type { AuditKeyRing } from '../../audit/checkpoint.ts';
import { memberReadRoutes } from './routes/members.ts';
import { groupMappingRoutes } from './routes/group-mappings.ts';
import type { AccessRevoker } from '../../mirror/context.ts';
import { memberAdminRoutes } from './routes/member-admin.ts';
import { meRoutes } from './routes/me.ts';
import { roleRoutes } from './routes/roles.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { superAdminRoutes } from './routes/super-admin.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import { ssoRoutes, type SsoRouteDeps } from './routes/sso.ts';
import { introspectionRoutes, type IntrospectionDeps } from './routes/introspect.ts';
import { scimDirectoryRoutes } from './routes/scim-directories.ts';
import { oidcConnectionRoutes, type OidcConnectionRouteDeps } from './routes/oidc-connections.ts';
import type { OidcConnections } from '../../identity/oidc/oidc-connections.ts';

export interface ApiV1Deps extends ApiDeps {
  store: Store;
  publicUrl: string;
  /** The install's permissions (Gatehouse's and GATEHOUSE_APP_PERMISSIONS_FILE's); default: Gatehouse's own. */
  permissions?: PermissionCatalogue | undefined;
  /** SSO settings; absent (no identity provider), the SSO routes answer 503. */
  sso?: Omit<SsoRouteDeps, 'store'> | undefined;
  /** Provider administration (portal links, members, invitations); absent, those routes answer 503. */
  organizationAdmin?: OrganizationAdmin | undefined;
  sessions?: SessionService | undefined;
  /** How directory role changes reach credentials (the revocation bus and credential services). */
  accessRevoker?: AccessRevoker | undefined;
  /** Pulls provider events into the mirror right after an admin change (see member-admin.ts). */
  syncNow?: ((organizationId: string) => Promise<void>) | undefined;
  /** Audit checkpoint signer and trusted keys; without a signer the checkpoint routes answer 503. */
  auditKeys?: AuditKeyRing | undefined;
  /** Introspection and the revocation stream for apps; absent, those routes answer 503. */
  introspection?: IntrospectionDeps | undefined;
  /** AUTH_PROVIDER=oidc: the organization's OIDC connections; absent, those routes answer 503. */
  oidcConnections?: OidcConnectionRouteDeps | undefined;
}

export function createApiV1(deps: ApiV1Deps): { router: Hono; api: Api } {
  const api = new Api(deps);
  const permissions = deps.permissions ?? createPermissionCatalogue();
  meRoutes(api, deps.store);
  auditRoutes(api, deps.store, deps.auditKeys);
  roleRoutes(api, deps.store, permissions, deps.organizationAdmin);
  memberReadRoutes(api, deps.store);
  apiKeyRoutes(api, deps.store, permissions);
  const admin =
    deps.organizationAdmin ??
    unavailable<OrganizationAdmin>('WorkOS administration (WORKOS_API_KEY, WORKOS_CLIENT_ID)');
  const sessions = deps.sessions ?? unavailable<SessionService>('Server-side sessions (GATEHOUSE_SECRET)');
  const sso = deps.sso ?? {
    sso: unavailable<SsoRouteDeps['sso']>('SSO (an identity provider)'),
    provider: unavailable<SsoRouteDeps['provider']>('SSO (an identity provider)'),
  };
  sessionRoutes(api, { store: deps.store, sessions });
  groupMappingRoutes(api, {
    store: deps.store,
    access: deps.accessRevoker ?? unavailable<AccessRevoker>('Directory sync'),
    permissions,
  });
  scimDirectoryRoutes(api, {
    store: deps.store,
    access: deps.accessRevoker ?? unavailable<AccessRevoker>('Directory sync'),
    publicUrl: deps.publicUrl,
    permissions,
  });
  superAdminRoutes(api, { store: deps.store, admin, permissions });
  ssoRoutes(api, { store: deps.store, ...sso });
  oidcConnectionRoutes(
    api,
    deps.oidcConnections ?? {
      connections: unavailable<OidcConnections>('OIDC connections (AUTH_PROVIDER=oidc)'),
      redirectUri: '',
    },
  );
  memberAdminRoutes(api, { db: deps.store.db, admin, syncNow: deps.syncNow, permissions });
  adminPortalRoutes(api, { store: deps.store, admin, publicUrl: deps.publicUrl });
  introspectionRoutes(
    api,
    deps.introspection ?? {
      verifyCredential: unavailable<IntrospectionDeps>('Introspection (the access verifier)').verifyCredential,
    },
  );
  const document = () =>
    api.openApiDocument({ title: 'Gatehouse API', version: '1', serverUrl: `${deps.publicUrl}/api/v1` });
  api.router.get('/openapi.json', (c) => c.json(document()));
  return { router: api.router, api };
}
