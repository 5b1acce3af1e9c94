// Environment features through the SDK: API keys with validation, feature flags with targets,
// audit-log schemas, events, exports and retention, the JWT template and widget tokens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let orgId: string;
let userId: string;
before(async () => {
  h = await openHarness();
  orgId = (await h.workos.organizations.createOrganization({ name: 'Env Org' })).id;
  userId = (await h.workos.userManagement.createUser({ email: 'env@user.test' })).id;
  await h.workos.userManagement.createOrganizationMembership({ userId, organizationId: orgId });
});
after(() => h.close());

test('API keys: created once with their value, listed without it, validated by value, revoked', async () => {
  const sdk = h.workos as any;
  const key = await sdk.apiKeys.createOrganizationApiKey({
    organizationId: orgId,
    name: 'CI',
    permissions: ['posts:read'],
  });
  assert.match(key.value, /^sk_org_/);
  const listed = await sdk.apiKeys.listOrganizationApiKeys({ organizationId: orgId });
  assert.deepEqual(
    listed.data.map((k: any) => k.id),
    [key.id],
  );
  assert.equal(
    JSON.stringify(h.exchanges.at(-1)?.body).includes(key.value),
    false,
    'a listed key never shows its value',
  );
  const valid = await h.request('POST', '/api_keys/validations', { body: { value: key.value } });
  assert.equal(valid.body.api_key.id, key.id);
  assert.notEqual(valid.body.api_key.last_used_at, null);
  assert.equal(
    (await h.request('POST', '/api_keys/validations', { body: { value: 'sk_org_wrong' } })).body.api_key,
    null,
  );
  const userKey = await h.request('POST', `/user_management/users/${userId}/api_keys`, {
    body: { name: 'mine', organization_id: orgId },
  });
  assert.equal(userKey.status, 201);
  assert.equal(userKey.body.owner.organization_id, orgId);
  const stranger = (await h.workos.organizations.createOrganization({ name: 'Stranger Org' })).id;
  assert.equal(
    (
      await h.request('POST', `/user_management/users/${userId}/api_keys`, {
        body: { name: 'x', organization_id: stranger },
      })
    ).status,
    422,
  );
  assert.equal(
    (await h.request('GET', `/user_management/users/${userId}/api_keys?organization_id=${orgId}`)).body.data.length,
    1,
  );
  await sdk.apiKeys.deleteApiKey(key.id);
  assert.equal(
    (await h.request('POST', '/api_keys/validations', { body: { value: key.value } })).body.api_key,
    null,
    'a revoked key no longer validates',
  );
  h.assertConformant();
});

test('feature flags: enable, disable, target an organization and a user, list per organization and user', async () => {
  await h.control('POST', '/feature_flags', { slug: 'new-dashboard', name: 'New dashboard' });
  await h.control('POST', '/feature_flags', { slug: 'everyone', default_value: true });
  const sdk = h.workos as any;
  assert.deepEqual((await sdk.featureFlags.listFeatureFlags()).data.map((f: any) => f.slug).sort(), [
    'everyone',
    'new-dashboard',
  ]);
  const orgFlags = async () =>
    (await h.request('GET', `/organizations/${orgId}/feature-flags`)).body.data.map((f: any) => f.slug).sort();
  assert.deepEqual(await orgFlags(), ['everyone']);
  await sdk.featureFlags.addFlagTarget({ slug: 'new-dashboard', targetId: orgId });
  assert.deepEqual(await orgFlags(), ['everyone', 'new-dashboard']);
  const userFlags = await h.request('GET', `/user_management/users/${userId}/feature-flags`);
  assert.deepEqual(
    userFlags.body.data.map((f: any) => f.slug).sort(),
    ['everyone', 'new-dashboard'],
    'a member inherits the organization',
  );
  assert.equal((await sdk.featureFlags.disableFeatureFlag('new-dashboard')).enabled, false);
  assert.deepEqual(await orgFlags(), ['everyone']);
  await sdk.featureFlags.enableFeatureFlag('new-dashboard');
  await sdk.featureFlags.removeFlagTarget({ slug: 'new-dashboard', targetId: orgId });
  assert.deepEqual(await orgFlags(), ['everyone']);
  assert.equal((await h.request('GET', '/feature-flags/unknown')).status, 404);
  h.assertConformant();
});

test('audit logs: schemas per action, events checked against them, exports, retention', async () => {
  const sdk = h.workos as any;
  const schema = await h.request('POST', '/audit_logs/actions/user.signed_in/schemas', {
    body: { targets: [{ type: 'team' }] },
  });
  assert.equal(schema.status, 201);
  assert.equal(schema.body.version, 1);
  assert.equal(
    (
      await h.request('POST', '/audit_logs/actions/user.signed_in/schemas', {
        body: { targets: [{ type: 'team' }, { type: 'doc' }] },
      })
    ).body.version,
    2,
  );
  const actions = await h.request('GET', '/audit_logs/actions');
  assert.equal(actions.body.data[0].schema.version, 2);
  assert.equal((await h.request('GET', '/audit_logs/actions/user.signed_in/schemas')).body.data.length, 2);
  const event = (targets: Array<{ id: string; type: string }>) => ({
    organization_id: orgId,
    event: {
      action: 'user.signed_in',
      occurred_at: '2026-11-30T10:00:00.000Z',
      actor: { id: 'user_1', type: 'user' },
      targets,
      context: { location: '10.0.0.1' },
    },
  });
  assert.equal(
    (await h.request('POST', '/audit_logs/events', { body: event([{ id: 't1', type: 'team' }]) })).status,
    200,
  );
  assert.equal(
    (await h.request('POST', '/audit_logs/events', { body: event([{ id: 'x', type: 'alien' }]) })).status,
    422,
  );
  const exported = await sdk.auditLogs.createExport({
    organizationId: orgId,
    rangeStart: new Date('2026-11-30T00:00:00Z'),
    rangeEnd: new Date('2026-12-01T00:00:00Z'),
  });
  assert.equal(exported.state, 'ready');
  assert.equal((await sdk.auditLogs.getExport(exported.id)).id, exported.id);
  const csv = await (await fetch(exported.url)).text();
  assert.equal(csv.trim().split('\n').length, 2, 'header and the one event in range');
  assert.equal(
    (await h.request('GET', `/organizations/${orgId}/audit_logs_retention`)).body.retention_period_in_days,
    365,
  );
  assert.equal(
    (await h.request('PUT', `/organizations/${orgId}/audit_logs_retention`, { body: { retention_period_in_days: 30 } }))
      .body.retention_period_in_days,
    30,
  );
  assert.equal(
    (await h.request('GET', `/organizations/${orgId}/audit_log_configuration`)).body.retention_period_in_days,
    30,
  );
  h.assertConformant();
});

test('organization groups hold memberships of their own organization only', async () => {
  const membership = (await h.workos.userManagement.listOrganizationMemberships({ organizationId: orgId })).data[0]!;
  const group = await h.request('POST', `/organizations/${orgId}/groups`, {
    body: { name: 'Engineering', description: null },
  });
  assert.equal(group.status, 201);
  const base = `/organizations/${orgId}/groups/${group.body.id}`;
  assert.equal((await h.request('PATCH', base, { body: { name: 'Platform' } })).body.name, 'Platform');
  assert.equal(
    (
      await h.request('POST', `${base}/organization-memberships`, {
        body: { organization_membership_id: membership.id },
      })
    ).status,
    200,
  );
  assert.deepEqual(
    (await h.request('GET', `${base}/organization-memberships`)).body.data.map((m: any) => m.id),
    [membership.id],
  );
  assert.deepEqual(
    (await h.request('GET', `/user_management/organization_memberships/${membership.id}/groups`)).body.data.map(
      (g: any) => g.id,
    ),
    [group.body.id],
  );
  const other = (await h.workos.organizations.createOrganization({ name: 'Group Other' })).id;
  assert.equal(
    (await h.request('GET', `/organizations/${other}/groups/${group.body.id}`)).status,
    404,
    'a group is found only under its organization',
  );
  assert.equal((await h.request('DELETE', `${base}/organization-memberships/${membership.id}`)).status, 204);
  assert.equal((await h.request('GET', `${base}/organization-memberships`)).body.data.length, 0);
  assert.equal((await h.request('GET', `/organizations/${orgId}/groups`)).body.data.length, 1);
  assert.equal((await h.request('DELETE', base)).status, 204);
  assert.equal((await h.request('GET', base)).status, 404);
  h.assertConformant();
});

test('JWT template and widget tokens', async () => {
  assert.equal((await h.request('GET', '/user_management/jwt_template')).body.content, '{}');
  const put = await h.request('PUT', '/user_management/jwt_template', {
    body: { content: '{"tier": "{{organization.metadata.tier}}"}' },
  });
  assert.equal(put.status, 200);
  assert.equal(
    (await h.request('GET', '/user_management/jwt_template')).body.content,
    '{"tier": "{{organization.metadata.tier}}"}',
  );
  assert.equal(
    (await h.request('PUT', '/user_management/jwt_template', { body: { content: 'not json' } })).status,
    422,
  );
  const token =
    (await (h.workos as any).widgets.getToken?.({
      organizationId: orgId,
      userId,
      scopes: ['widgets:users-table:manage'],
    })) ??
    (
      await h.request('POST', '/widgets/token', {
        body: { organization_id: orgId, user_id: userId, scopes: ['widgets:users-table:manage'] },
      })
    ).body.token;
  const { payload } = await jwtVerify(token, createLocalJWKSet(h.emulator.context.keys.jwks()));
  assert.equal(payload.org_id, orgId);
  assert.equal(payload.sub, userId);
  h.assertConformant();
  await h.assertEventsConformant();
});
