// API key service on both engines: role ceiling, ownership rules, secret shown once and stored as a
// hash, audited creation and revocation, last_used_at throttled to once a minute, and a revocation
// evicting the cached context at once through the bus.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthContext } from '../core/auth-context.ts';
import type { Store } from '../store/store.ts';
import { asSystem, inTenant } from '../store/tenant.ts';
import { openRevocationBus, type RevocationBus } from '../sessions/revocation-bus.ts';
import { testEngines } from '../../test/support/stores.ts';
import { orgWithMember } from '../../test/support/access-fixtures.ts';
import { createAccessVerifier } from './access-verifier.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { createPermissionCatalogue } from '../core/permission-catalogue.ts';

const admin = (organizationId: string, userId: string): AuthContext => ({
  principal: { type: 'user', userId },
  organizationId,
  role: 'admin',
  permissions: ['organization:read', 'members:read', 'api_keys:manage'],
  authMethod: 'session',
  isSuperAdmin: false,
});

for (const engine of testEngines()) {
  describe(`API keys on ${engine.name}`, () => {
    let store: Store;
    let bus: RevocationBus;
    let org: { organizationId: string; userId: string };
    before(async () => {
      store = await engine.open();
      bus = openRevocationBus({ store });
      await bus.ready;
      org = await orgWithMember(store.db, 'admin');
    });
    after(async () => {
      await bus?.close();
      await store?.close();
    });
    const inOrg = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(store.db, org.organizationId, fn);

    it('refuses a role above the creator, a personal key for a non-user and a creator without api_keys:manage', async () => {
      const creator = admin(org.organizationId, org.userId);
      await assert.rejects(
        inOrg((tx) =>
          createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator,
            name: 'x',
            role: 'admin',
            ownership: 'organization',
          }),
        ),
        { code: 'AUTH_API_KEY_ROLE_TOO_HIGH' },
      );
      const machine: AuthContext = { ...creator, principal: { type: 'm2m', clientId: 'client_1' }, authMethod: 'm2m' };
      await assert.rejects(
        inOrg((tx) =>
          createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator: machine,
            name: 'x',
            role: 'member',
            ownership: 'personal',
          }),
        ),
        { code: 'REQUEST_INVALID' },
      );
      await assert.rejects(
        inOrg((tx) =>
          createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator: { ...creator, permissions: ['members:read'] },
            name: 'x',
            role: 'member',
            ownership: 'organization',
          }),
        ),
        { code: 'AUTH_FORBIDDEN' },
      );
      await assert.rejects(
        inOrg((tx) =>
          createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator,
            name: 'x',
            role: 'no-such-role',
            ownership: 'organization',
          }),
        ),
        { code: 'REQUEST_INVALID' },
      );
    });

    it('shows the secret once, stores its hash, lists without it, audits, and throttles last_used_at', async () => {
      let now = Date.now();
      const verifier = createAccessVerifier({ db: store.db, bus, clock: () => now });
      const { apiKey, secret } = await inOrg((tx) =>
        createApiKey(tx, {
          catalogue: createPermissionCatalogue(),
          creator: admin(org.organizationId, org.userId),
          name: 'deploy bot',
          role: 'member',
          ownership: 'organization',
        }),
      );
      assert.match(secret, /^gth_live_[\w-]{43}$/);
      const row = await asSystem(store.db, 'test', (tx) =>
        tx.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow(),
      );
      assert.ok(!JSON.stringify(row).includes(secret.slice(13)));
      const listed = await inOrg((tx) => listApiKeys(tx, org.organizationId));
      assert.ok(!JSON.stringify(listed).includes(secret.slice(13)));
      assert.equal(listed.find((k) => k.id === apiKey.id)?.ownership, 'organization');

      const ctx = await verifier.verifyCredential({ bearer: secret });
      assert.equal(ctx.apiKeyId, apiKey.id);
      const lastUsed = async () =>
        (
          await asSystem(store.db, 'test', (tx) =>
            tx.selectFrom('api_keys').select('last_used_at').where('id', '=', apiKey.id).executeTakeFirstOrThrow(),
          )
        ).last_used_at;
      const first = await lastUsed();
      assert.ok(first);
      verifier.cache.clear();
      now += 30_000;
      await verifier.verifyCredential({ bearer: secret });
      assert.equal((await lastUsed())!.getTime(), first.getTime(), 'no write within the minute');
      verifier.cache.clear();
      now += 31_000;
      await verifier.verifyCredential({ bearer: secret });
      assert.equal((await lastUsed())!.getTime(), now);

      // Cached now; revoking evicts it through the bus without waiting for any TTL.
      await verifier.verifyCredential({ bearer: secret });
      assert.equal(verifier.cache.size, 1);
      await inOrg((tx) =>
        revokeApiKey(tx, {
          organizationId: org.organizationId,
          apiKeyId: apiKey.id,
          actor: { type: 'user', id: org.userId },
        }),
      );
      for (let i = 0; i < 100 && verifier.cache.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
      await assert.rejects(verifier.verifyCredential({ bearer: secret }), { code: 'AUTH_API_KEY_REVOKED' });
      const audit = await inOrg((tx) =>
        tx
          .selectFrom('audit_events')
          .select(['type', 'data'])
          .where('target_id', '=', apiKey.id)
          .orderBy('seq')
          .execute(),
      );
      assert.deepEqual(
        audit.map((e) => e.type),
        ['api_key.created', 'api_key.revoked'],
      );
      assert.ok(!JSON.stringify(audit).includes(secret));
      verifier.close();
    });
  });
}
