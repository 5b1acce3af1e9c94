// SSO settings API: read, enable with a connection, enforce (with the lockout preview the seeds
// warn about), disable. Enforcing while active members have never signed in through SSO needs an
// explicit acknowledgement, because those members lose access at once.
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { CONNECTION_TYPES } from '../../../core/connection-types.ts';
import type { IdentityProvider } from '../../../identity/provider.ts';
import { membersWithoutSsoSignIn } from '../../../organizations/members.ts';
import { enableSsoWithProvider, setSsoEnforcement } from '../../../organizations/sso-settings.ts';
import type { SsoService } from '../../../sso/sso-config.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { orgParams } from '../common.ts';
import { memberSchema } from './members.ts';

const ssoConfig = z.object({
  enabled: z.boolean(),
  enforced: z.boolean(),
  connectionId: z.string().nullable(),
  provider: z.string().nullable(),
});
const enableBody = z.strictObject({
  connectionId: z.string().regex(/^conn_[0-9A-Za-z]{8,40}$/, 'expected a WorkOS connection id (conn_…)'),
  provider: z.enum(CONNECTION_TYPES),
});
const enforcementBody = z.strictObject({ enforced: z.boolean(), acknowledgeLockout: z.boolean().optional() });
const preview = z.object({ count: z.number().int(), members: z.array(memberSchema) });

export interface SsoRouteDeps {
  store: Store;
  sso: SsoService;
  provider: Pick<IdentityProvider, 'getConnection'>;
}

export function ssoRoutes(api: Api, deps: SsoRouteDeps): void {
  const { store, sso } = deps;
  const settings = { db: store.db, sso, provider: deps.provider };
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/sso',
    summary: "The organization's SSO configuration",
    tag: 'SSO',
    permission: 'organization:read',
    params: orgParams,
    responses: { 200: { description: 'SsoConfig', schema: ssoConfig } },
    handler: async ({ params }) => ({ status: 200, body: await sso.getSsoConfig(params.orgId) }),
  });
  api.add({
    method: 'put',
    path: '/organizations/{orgId}/sso',
    summary: 'Enable SSO with an active connection of this organization',
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    body: enableBody,
    responses: {
      200: { description: 'Enabled', schema: ssoConfig },
      409: { description: 'The connection is not active' },
    },
    handler: async ({ params, body, auth }) => ({
      status: 200,
      body: await enableSsoWithProvider(settings, auth, params.orgId, body),
    }),
  });
  api.add({
    method: 'get',
    path: '/organizations/{orgId}/sso/enforcement-preview',
    summary: 'Active members who have never signed in through SSO and would be locked out by enforcing it',
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    responses: { 200: { description: 'Members who would lose access', schema: preview } },
    handler: async ({ params }) => {
      const members = await inTenant(store.db, params.orgId, (tx) => membersWithoutSsoSignIn(tx, params.orgId));
      return { status: 200, body: { count: members.length, members } };
    },
  });
  api.add({
    method: 'put',
    path: '/organizations/{orgId}/sso/enforcement',
    summary: 'Require SSO for every member (or stop requiring it)',
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    body: enforcementBody,
    responses: {
      200: { description: 'Updated', schema: ssoConfig },
      409: { description: 'SSO_NOT_ENABLED, or members would be locked out (SSO_LOCKOUT_UNACKNOWLEDGED)' },
    },
    handler: async ({ params, body, auth }) => ({
      status: 200,
      body: await setSsoEnforcement(settings, auth, params.orgId, body),
    }),
  });
  api.add({
    method: 'delete',
    path: '/organizations/{orgId}/sso',
    summary: 'Disable SSO (clears enforcement)',
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    responses: { 200: { description: 'Disabled', schema: ssoConfig } },
    handler: async ({ params, auth }) => ({ status: 200, body: await sso.disableSso(actorOf(auth), params.orgId) }),
  });
}
