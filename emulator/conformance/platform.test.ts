// Events API, webhook endpoints, fault hooks and the control surface, through the SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundException, RateLimitExceededException, UnauthorizedException } from '@workos-inc/node';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

test('events: every emitted event listed once, oldest first, by type, after a cursor, in a range', async () => {
  const um = h.workos.userManagement;
  const org = await h.workos.organizations.createOrganization({
    name: 'Evented',
    domainData: [{ domain: 'evented.test', state: 'verified' as never }],
  });
  const user = await um.createUser({ email: 'e1@evented.test', password: 'evented-pw', emailVerified: true });
  const m = await um.createOrganizationMembership({ organizationId: org.id, userId: user.id });
  await um.updateOrganizationMembership(m.id, { roleSlug: 'admin' });
  await um.authenticateWithPassword({
    clientId: h.emulator.clientId,
    email: 'e1@evented.test',
    password: 'evented-pw',
  });
  await um.sendInvitation({ email: 'e2@evented.test', organizationId: org.id });
  await um.createMagicAuth({ email: 'e3@evented.test' });
  await um.createPasswordReset({ email: 'e1@evented.test' });
  await h.control('POST', '/directories', { organization_id: org.id });
  await h.control('POST', '/connections', { organization_id: org.id });
  await h.workos.authorization.createPermission({ slug: 'things:read', name: 'Read things' });
  await um.deleteOrganizationMembership(m.id);

  const raw = await h.request('GET', '/events?limit=100');
  assert.equal(raw.status, 200);
  const listed = raw.body.data as Array<{ id: string; event: string; created_at: string }>;
  assert.deepEqual(
    listed.map((e) => e.id),
    h.emulator.world.events.map((e) => e.id),
  );
  assert.deepEqual(
    [...listed.map((e) => e.id)].sort(),
    listed.map((e) => e.id),
    'oldest first',
  );
  const types = new Set(listed.map((e) => e.event));
  for (const t of [
    'organization.created',
    'organization_domain.created',
    'user.created',
    'organization_membership.created',
    'organization_membership.updated',
    'authentication.password_succeeded',
    'session.created',
    'invitation.created',
    'magic_auth.created',
    'password_reset.created',
    'dsync.activated',
    'connection.activated',
    'permission.created',
    'organization_membership.deleted',
  ]) {
    assert.ok(types.has(t), `missing ${t}`);
  }

  const sdkPage = await h.workos.events.listEvents({ events: ['user.created', 'session.created'], limit: 1 });
  assert.equal(sdkPage.data.length, 1);
  assert.equal(sdkPage.data[0]!.event, 'user.created');
  const next = await h.workos.events.listEvents({
    events: ['user.created', 'session.created'],
    after: sdkPage.listMetadata.after!,
  });
  // e1's sign-in session, then the user magic auth created for e3.
  assert.deepEqual(
    next.data.map((e) => e.event),
    ['session.created', 'user.created'],
  );
  const last = listed[listed.length - 1]!;
  const afterLast = await h.workos.events.listEvents({ events: ['organization_membership.deleted'], after: last.id });
  assert.equal(afterLast.data.length, 0);
  const future = await h.workos.events.listEvents({
    events: ['user.created'],
    rangeStart: new Date(Date.now() + 3_600_000).toISOString(),
  });
  assert.equal(future.data.length, 0);
  const byOrg = await h.workos.events.listEvents({
    events: ['organization_membership.created'],
    organizationId: org.id,
  });
  assert.equal(byOrg.data.length, 1);
  assert.equal((await h.request('GET', '/events?limit=0')).status, 422);
  h.assertConformant();
});

test('webhook endpoints: create with a secret, list, get, update, disable, delete', async () => {
  const created = await h.request('POST', '/webhook_endpoints', {
    body: { endpoint_url: 'http://127.0.0.1:9/hooks', events: ['user.created'] },
  });
  assert.equal(created.status, 201);
  assert.ok(created.body.secret.length >= 16);
  assert.equal(
    (
      await h.request('POST', '/webhook_endpoints', {
        body: { endpoint_url: 'http://127.0.0.1:9/hooks', events: ['user.created'] },
      })
    ).status,
    409,
  );
  assert.equal(
    (await h.request('POST', '/webhook_endpoints', { body: { endpoint_url: 'not a url', events: ['user.created'] } }))
      .status,
    422,
  );
  const listed = await h.request('GET', '/webhook_endpoints');
  assert.equal(listed.body.data.length, 1);
  assert.equal(
    (await h.request('GET', `/webhook_endpoints/${created.body.id}`)).body.endpoint_url,
    'http://127.0.0.1:9/hooks',
  );
  const patched = await h.request('PATCH', `/webhook_endpoints/${created.body.id}`, {
    body: { status: 'disabled', events: ['user.created', 'user.deleted'] },
  });
  assert.equal(patched.body.status, 'disabled');
  assert.deepEqual(patched.body.events, ['user.created', 'user.deleted']);
  assert.equal((await h.request('DELETE', `/webhook_endpoints/${created.body.id}`)).status, 204);
  assert.equal(
    (await h.request('PATCH', `/webhook_endpoints/${created.body.id}`, { body: { status: 'enabled' } })).status,
    404,
  );
  h.assertConformant();
});

test('fault hooks: a 429 with Retry-After is retried by the SDK; one that persists reaches it as RateLimitExceededException; a 502 is retried', async () => {
  await h.control('POST', '/faults', {
    method: 'GET',
    path: '/organizations',
    status: 429,
    headers: { 'Retry-After': '1' },
  });
  const first = h.exchanges.length;
  assert.ok(Array.isArray((await h.workos.organizations.listOrganizations()).data));
  assert.deepEqual(
    h.exchanges
      .slice(first)
      .filter((x) => x.path === '/organizations')
      .map((x) => x.status),
    [429, 200],
    'the SDK waited Retry-After and retried',
  );

  await h.control('POST', '/faults', {
    method: 'GET',
    path: '/organizations',
    status: 429,
    count: 10,
    headers: { 'Retry-After': '0' },
  });
  const error = await h.workos.organizations.listOrganizations().then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof RateLimitExceededException);
  assert.equal(error.status, 429);
  await h.control('DELETE', '/faults');

  const org = await h.workos.organizations.createOrganization({ name: 'Audited' });
  await h.control('POST', '/faults', { method: 'POST', path: '/audit_logs/events', status: 502, count: 1 });
  const before = h.exchanges.length;
  await h.workos.auditLogs.createEvent(org.id, {
    action: 'user.signed_in',
    occurredAt: new Date(),
    actor: { id: 'user_1', type: 'user' },
    targets: [{ id: 'user_1', type: 'user' }],
    context: { location: '127.0.0.1' },
  });
  const attempts = h.exchanges
    .slice(before)
    .filter((x) => x.path === '/audit_logs/events')
    .map((x) => x.status);
  assert.deepEqual(attempts, [502, 200], 'the SDK retried after the injected 502');

  await h.control('POST', '/faults', { method: '*', path: '/user_management/*', status: 401, count: 2 });
  await assert.rejects(h.workos.userManagement.listUsers(), UnauthorizedException);
  await assert.rejects(h.workos.userManagement.getUser('user_x'), UnauthorizedException);
  await assert.rejects(h.workos.userManagement.getUser('user_x'), NotFoundException);
  // A latency-only hook delays the real answer without replacing it.
  await h.control('POST', '/faults', { method: 'GET', path: '/organizations', latency_ms: 20 });
  assert.ok(Array.isArray((await h.workos.organizations.listOrganizations()).data));
  const listed = await h.control('GET', '/faults');
  assert.deepEqual(listed.data, []);
  h.assertConformant();
});

test('control: reset empties the world (keeping default roles); a YAML seed loads; outbox filters', async () => {
  await h.control('POST', '/reset');
  assert.equal(h.emulator.world.users.size, 0);
  assert.equal((await h.workos.authorization.listEnvironmentRoles()).data.length, 2);
  const yaml = [
    'organizations:',
    '  - { name: Seeded, domains: [seeded.test] }',
    'users:',
    '  - email: owner@seeded.test',
    '    password: seeded-pw',
    '    memberships: [{ organization: Seeded, role: admin }]',
    'webhook_endpoints:',
    '  - { url: "http://127.0.0.1:9/wh", events: [user.created], secret: "0123456789abcdef0123" }',
  ].join('\n');
  const res = await h.request('POST', '/_emulator/seed', {
    body: yaml,
    headers: { 'content-type': 'application/yaml' },
  });
  assert.equal(res.status, 201);
  assert.ok(res.body.organizations.Seeded);
  const auth = await h.workos.userManagement.authenticateWithPassword({
    clientId: h.emulator.clientId,
    email: 'owner@seeded.test',
    password: 'seeded-pw',
  });
  assert.equal(auth.organizationId, res.body.organizations.Seeded);
  const bad = await h.request('POST', '/_emulator/seed', {
    body: { users: [{ email: 'x@y.test', memberships: [{ organization: 'Nowhere' }] }] },
  });
  assert.equal(bad.status, 400);

  await h.workos.userManagement.createMagicAuth({ email: 'owner@seeded.test' });
  const outbox = await h.control('GET', '/outbox?to=owner@seeded.test&kind=magic_auth');
  assert.equal(outbox.data.length, 1);
  assert.match(outbox.data[0].data.code, /^\d{6}$/);
  const unauthorized = await h.request('POST', '/_emulator/reset', { apiKey: 'wrong' });
  assert.equal(unauthorized.status, 401);
  h.assertConformant();
});

test('every event this suite made WorkOS announce matches the spec', async () => {
  assert.ok((await h.assertEventsConformant()) > 0);
});
