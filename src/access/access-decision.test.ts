// The decision point on its own: every rule in its order, over a table of contexts and requests,
// with the credential step standing in for the verifier (its own tests cover credentials).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthContext } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { meetsSignInPolicy, viaOwnConnection } from '../core/sign-in-policy.ts';
import { decideAccess, type AccessTarget } from './access-decision.ts';

const admin: AuthContext = {
  principal: { type: 'user', userId: 'user_1' },
  organizationId: 'org_A',
  role: 'admin',
  authMethod: 'session',
  isSuperAdmin: false,
  permissions: ['members:read', 'members:manage', 'api_keys:manage', 'sso:manage', 'roles:manage'],
};
const impersonated: AuthContext = { ...admin, impersonator: { email: 'support@workos.test', reason: null } };
const superAdmin: AuthContext = {
  ...admin,
  organizationId: 'org_S',
  permissions: ['members:read'],
  isSuperAdmin: true,
};

describe('access decision', () => {
  it('answers each rule with its code, in order', async () => {
    const cases: [string, AuthContext | AppError, AccessTarget, number | 'allowed', string?][] = [
      [
        'no credential',
        new AppError('AUTH_REQUIRED', 'x'),
        { method: 'GET', organizationId: 'org_A' },
        401,
        'AUTH_REQUIRED',
      ],
      ['own organization', admin, { method: 'GET', organizationId: 'org_A', permission: 'members:read' }, 'allowed'],
      [
        'another tenant',
        admin,
        { method: 'GET', organizationId: 'org_B', permission: 'members:read' },
        404,
        'RESOURCE_NOT_FOUND',
      ],
      [
        'another tenant, no permission needed',
        admin,
        { method: 'GET', organizationId: 'org_B' },
        404,
        'RESOURCE_NOT_FOUND',
      ],
      [
        'missing permission',
        { ...admin, permissions: ['members:read'] },
        { method: 'GET', organizationId: 'org_A', permission: 'audit:read' },
        403,
        'AUTH_FORBIDDEN',
      ],
      ['super-admin only, to a member', admin, { method: 'GET', superAdminOnly: true }, 404, 'RESOURCE_NOT_FOUND'],
      [
        'super-admin entering',
        superAdmin,
        { method: 'POST', organizationId: 'org_A', permission: 'members:manage' },
        'allowed',
      ],
      [
        'super-admin, own organization only',
        superAdmin,
        { method: 'POST', organizationId: 'org_A', permission: 'api_keys:manage', ownOrganizationOnly: true },
        404,
        'RESOURCE_NOT_FOUND',
      ],
      [
        'impersonated: create a key',
        impersonated,
        { method: 'POST', organizationId: 'org_A', permission: 'api_keys:manage' },
        403,
        'AUTH_IMPERSONATION_FORBIDDEN',
      ],
      [
        'impersonated: change SSO',
        impersonated,
        { method: 'PUT', organizationId: 'org_A', permission: 'sso:manage' },
        403,
        'AUTH_IMPERSONATION_FORBIDDEN',
      ],
      [
        'impersonated: edit a role',
        impersonated,
        { method: 'PATCH', organizationId: 'org_A', permission: 'roles:manage' },
        403,
        'AUTH_IMPERSONATION_FORBIDDEN',
      ],
      [
        "impersonated: a member's role",
        impersonated,
        { method: 'PATCH', organizationId: 'org_A', permission: 'members:manage', changesRoles: true },
        403,
        'AUTH_IMPERSONATION_FORBIDDEN',
      ],
      [
        'impersonated: read keys',
        impersonated,
        { method: 'GET', organizationId: 'org_A', permission: 'api_keys:manage' },
        'allowed',
      ],
      [
        'impersonated: deactivate a member',
        impersonated,
        { method: 'POST', organizationId: 'org_A', permission: 'members:manage' },
        'allowed',
      ],
    ];
    for (const [name, who, target, expected, code] of cases) {
      const decision = await decideAccess({
        ...target,
        credential: async () => {
          if (who instanceof AppError) throw who;
          return who;
        },
      });
      if (expected === 'allowed') {
        assert.ok(decision.allowed, name);
      } else {
        assert.ok(!decision.allowed, name);
        assert.equal(decision.error.status, expected, name);
        assert.equal(decision.error.code, code, name);
      }
    }
  });

  it("counts SSO only through the organization's own enabled connection", () => {
    const policy = { enabled: true, enforced: true, connectionId: 'conn_A' };
    assert.equal(meetsSignInPolicy('org_A', policy, { ssoConnectionId: 'conn_A', ssoOrganizationId: 'org_A' }), true);
    assert.equal(meetsSignInPolicy('org_A', policy, { ssoConnectionId: 'conn_B', ssoOrganizationId: 'org_B' }), false);
    assert.equal(meetsSignInPolicy('org_A', policy, { ssoConnectionId: 'conn_A', ssoOrganizationId: 'org_B' }), false);
    assert.equal(meetsSignInPolicy('org_A', policy, { ssoConnectionId: null, ssoOrganizationId: null }), false);
    assert.equal(
      meetsSignInPolicy('org_A', { ...policy, enforced: false }, { ssoConnectionId: null, ssoOrganizationId: null }),
      true,
    );
    // A replaced connection no longer counts; SSO the provider routed to this organization does.
    assert.equal(
      viaOwnConnection(
        'org_A',
        { ...policy, connectionId: 'conn_A2' },
        { ssoConnectionId: 'conn_A', ssoOrganizationId: 'org_A' },
      ),
      false,
    );
    assert.equal(viaOwnConnection('org_A', policy, { ssoConnectionId: null, ssoOrganizationId: 'org_A' }), true);
    assert.equal(viaOwnConnection('org_A', policy, { ssoConnectionId: null, ssoOrganizationId: 'org_B' }), false);
  });
});
