// SSO settings through /api/v1 end to end: the real SSO service and WorkOS adapter (the
// unmodified SDK) against the emulator over HTTP. Covers the seeds' rules: enforcing before
// enabling fails with their exact message, the lockout preview, and the audit trail of changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { WorkOS } from '@workos-inc/node';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createWorkosProvider } from '../../src/identity/workos/workos-provider.ts';
import { createWorkosOrganizationAdmin } from '../../src/identity/workos/workos-organization-admin.ts';
import { createLogger } from '../../src/logger.ts';
import { createSsoService } from '../../src/sso/sso-config.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { checkedApi } from '../support/openapi-responses.ts';

describe('/api/v1 SSO settings against the emulator', () => {
  let emulator: RunningEmulator;
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  let acmeId: string;
  let connectionId: string;
  let admin: AuthContext;

  before(async () => {
    emulator = await startEmulator();
    const port = Number(new URL(emulator.url).port);
    const workos = new WorkOS(emulator.apiKey, {
      apiHostname: '127.0.0.1',
      port,
      https: false,
      clientId: emulator.clientId,
    });
    const acme = (await workos.organizations.listOrganizations()).data.find((o) => o.name === 'Acme')!;
    acmeId = acme.id;
    connectionId = (await workos.sso.listConnections({ organizationId: acmeId })).data[0]!.id;

    store = await openPgliteTestStore();
    await asSystem(store.db, 'test fixture', async (tx) => {
      await tx.insertInto('organizations').values({ id: acmeId, name: 'Acme' }).execute();
      await tx
        .insertInto('users')
        .values([
          { id: 'user_01ALICE000000', email: 'alice@acme.test' },
          { id: 'user_01BOB00000000', email: 'bob@acme.test' },
        ])
        .execute();
      await tx
        .insertInto('organization_memberships')
        .values([
          {
            organization_id: acmeId,
            id: 'om_01ALICE000000',
            user_id: 'user_01ALICE000000',
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          },
          {
            organization_id: acmeId,
            id: 'om_01BOB00000000',
            user_id: 'user_01BOB00000000',
            role_slug: 'member',
            status: 'active',
            source: 'directory',
          },
        ])
        .execute();
    });
    admin = {
      principal: { type: 'user', userId: 'user_01ALICE000000' },
      organizationId: acmeId,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session',
      isSuperAdmin: false,
    };
    const provider = createWorkosProvider({
      apiKey: emulator.apiKey,
      clientId: emulator.clientId,
      apiHostname: '127.0.0.1',
      port,
      https: false,
    });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: async (c) => {
        if (c.req.header('x-test-principal') !== 'admin') throw new AppError('AUTH_REQUIRED', 'Sign in');
        return admin;
      },
      sso: { sso: createSsoService({ db: store.db, provider }), provider },
      organizationAdmin: createWorkosOrganizationAdmin({
        apiKey: emulator.apiKey,
        clientId: emulator.clientId,
        apiHostname: '127.0.0.1',
        port,
        https: false,
      }),
      publicUrl: 'http://app.test',
    });
  });
  after(async () => {
    await store?.close();
    await emulator?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await checkedApi(app).request(`/api/v1/organizations/${acmeId}${path}`, {
      method,
      headers: { 'x-test-principal': 'admin', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };

  it('starts disabled, and refuses to enforce before SSO is enabled with the exact message', async () => {
    assert.deepEqual((await call('GET', '/sso')).body, {
      enabled: false,
      enforced: false,
      connectionId: null,
      provider: null,
    });
    const refused = await call('PUT', '/sso/enforcement', { enforced: true });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'SSO_NOT_ENABLED');
    assert.equal(refused.body.detail, 'Cannot enforce SSO when SSO is not enabled');
  });

  it('refuses an unknown connection, a wrong provider type and malformed input', async () => {
    assert.equal(
      (await call('PUT', '/sso', { connectionId: 'conn_01UNKNOWN0000000', provider: 'GenericSAML' })).body.code,
      'SSO_CONNECTION_NOT_FOUND',
    );
    assert.equal(
      (await call('PUT', '/sso', { connectionId, provider: 'OktaSAML' })).body.code,
      'SSO_CONNECTION_INVALID',
    );
    for (const bad of [
      { connectionId: 'nope', provider: 'GenericSAML' },
      { connectionId, provider: 'Carrier pigeon' },
      { connectionId },
      { connectionId, provider: 'GenericSAML', enforced: true },
    ]) {
      const res = await call('PUT', '/sso', bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
    }
    assert.equal((await call('PUT', '/sso/enforcement', { enforced: 'yes' })).status, 422);
    assert.equal((await call('GET', '/sso')).body.enabled, false, 'nothing was written');
  });

  it('enables with the active connection, previews the lockout, and needs it acknowledged', async () => {
    const enabled = await call('PUT', '/sso', { connectionId, provider: 'GenericSAML' });
    assert.equal(enabled.status, 200);
    assert.deepEqual(enabled.body, { enabled: true, enforced: false, connectionId, provider: 'GenericSAML' });
    const preview = await call('GET', '/sso/enforcement-preview');
    assert.deepEqual(preview.body.members.map((m: { email: string }) => m.email).sort(), [
      'alice@acme.test',
      'bob@acme.test',
    ]);
    const unacknowledged = await call('PUT', '/sso/enforcement', { enforced: true });
    assert.equal(unacknowledged.status, 409);
    assert.equal(unacknowledged.body.code, 'SSO_LOCKOUT_UNACKNOWLEDGED');
    await inTenant(store.db, acmeId, (tx) =>
      tx
        .updateTable('organization_memberships')
        .set({ last_sso_sign_in_at: sql<Date>`now()` })
        .where('user_id', '=', 'user_01ALICE000000')
        .execute(),
    );
    assert.equal((await call('GET', '/sso/enforcement-preview')).body.count, 1);
    const enforced = await call('PUT', '/sso/enforcement', { enforced: true, acknowledgeLockout: true });
    assert.equal(enforced.status, 200);
    assert.equal(enforced.body.enforced, true);
  });

  it('creates admin portal links for each intent, only back to our own origin, audited', async () => {
    for (const intent of ['sso', 'dsync', 'audit_logs', 'log_streams', 'domain_verification', 'certificate_renewal']) {
      const res = await call('POST', '/admin-portal-links', { intent, returnUrl: 'http://app.test/admin' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.link, /^http:\/\/127\.0\.0\.1:\d+\//);
      const ttl = Date.parse(res.body.expiresAt) - Date.now();
      assert.ok(ttl > 4 * 60_000 && ttl <= 5 * 60_000);
    }
    const page = await fetch((await call('POST', '/admin-portal-links', { intent: 'sso' })).body.link);
    assert.equal(page.status, 200, 'the emulator serves the portal page behind the link');
    for (const bad of [
      { intent: 'sso', returnUrl: 'https://evil.test/' },
      { intent: 'root' },
      { intent: 'sso', extra: 1 },
      { intent: 'sso', returnUrl: 'javascript:alert(1)' },
    ]) {
      const res = await call('POST', '/admin-portal-links', bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
    }
    const links = await call('GET', '/audit-events?type=admin_portal.link_created');
    assert.equal(links.body.data.length, 7);
  });

  it('disabling clears enforcement, and every change is in the audit chain', async () => {
    const disabled = await call('DELETE', '/sso');
    assert.deepEqual(disabled.body, { enabled: false, enforced: false, connectionId: null, provider: null });
    const events = await call('GET', '/audit-events?limit=50');
    const types = events.body.data
      .map((e: { type: string }) => e.type)
      .filter((t: string) => t.startsWith('sso.'))
      .reverse();
    assert.deepEqual(types, ['sso.connection_created', 'sso.enforcement_enabled', 'sso.connection_removed']);
    assert.equal((await call('GET', '/audit-events/verify')).body.valid, true);
  });
});
