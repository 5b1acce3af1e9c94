// SSO settings API: read, enable with a connection, enforce (with the lockout preview the seeds
// warn about), disable. Enforcing while active members have never signed in through SSO needs an
// explicit acknowledgement, because those members lose access at once.
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { CONNECTION_TYPES } from '../../../core/connection-types.ts';
import { AppError } from '../../../core/errors.ts';
import type { IdentityProvider } from '../../../identity/provider.ts';
import { membersWithoutSsoSignIn } from '../../../organizations/members.ts';
import type { SsoService } from '../../../sso/sso-config.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { orgParams } from '../common.ts';
import { memberSchema } from './members.ts';

const ssoConfig = z.object({ enabled: z.boolean(), enforced: z.boolean(), connectionId: z.string().nullable(), provider: z.string().nullable() });
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
  const { store, sso, provider } = deps;
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
    responses: { 200: { description: 'Enabled', schema: ssoConfig }, 409: { description: 'The connection is not active' } },
    handler: async ({ params, body, auth }) => {
      const connection = await provider.getConnection(body.connectionId).catch(() => null);
      if (connection && connection.organizationId === params.orgId && connection.type !== body.provider) {
        throw new AppError('SSO_CONNECTION_INVALID', `Connection ${body.connectionId} is a ${connection.type} connection, not ${body.provider}`);
      }
      return { status: 200, body: await sso.enableSso(actorOf(auth), params.orgId, { connectionId: body.connectionId }) };
    },
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
    responses: { 200: { description: 'Updated', schema: ssoConfig }, 409: { description: 'SSO_NOT_ENABLED, or members would be locked out (SSO_LOCKOUT_UNACKNOWLEDGED)' } },
    handler: async ({ params, body, auth }) => {
      if (body.enforced) {
        const current = await sso.getSsoConfig(params.orgId);
        if (!current.enabled) throw new AppError('SSO_NOT_ENABLED', 'Cannot enforce SSO when SSO is not enabled');
        if (!body.acknowledgeLockout) {
          const locked = await inTenant(store.db, params.orgId, (tx) => membersWithoutSsoSignIn(tx, params.orgId));
          if (locked.length > 0) {
            throw new AppError('SSO_LOCKOUT_UNACKNOWLEDGED', `${locked.length} active members have never signed in through SSO and would be locked out; send acknowledgeLockout: true to enforce anyway`, {
              details: { errors: locked.slice(0, 50).map((m) => ({ path: 'members', message: m.email })) },
            });
          }
        }
      }
      return { status: 200, body: await sso.setSsoEnforced(actorOf(auth), params.orgId, body.enforced) };
    },
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
