// SSO configuration and enforcement against the emulator's connections (through the SDK) and a
// PGlite store: the seed's rules, the audit entries, and the revocation enforcing publishes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { RevocationEvent } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import { mirrorSignInOrganization } from '../mirror/sign-in-copy.ts';
import { createWorkosProvider } from '../identity/workos/workos-provider.ts';
import { openRevocationBus } from '../sessions/revocation-bus.ts';
import type { Store } from '../store/store.ts';
import { inTenant } from '../store/tenant.ts';
import { testEngines } from '../../test/support/stores.ts';
import { createSsoService, type SsoService } from './sso-config.ts';

const admin = { type: 'user' as const, id: 'user_admin' };
const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;

for (const engine of testEngines())
  describe(`SSO configuration (${engine.name})`, () => {
    let emulator: RunningEmulator;
    let store: Store;
    let sso: SsoService;
    let acme: string;
    let globex: string;
    let acmeConnection: string;

    before(async () => {
      emulator = await startEmulator();
      store = await engine.open();
      const provider = createWorkosProvider({
        apiKey: emulator.apiKey,
        clientId: emulator.clientId,
        apiHostname: '127.0.0.1',
        port: emulator.port,
        https: false,
      });
      sso = createSsoService({ db: store.db, provider });
      acme = emulator.seed!.organizations.Acme!;
      globex = emulator.seed!.organizations.Globex!;
      acmeConnection = emulator.seed!.connections.Acme![0]!;
      for (const id of [acme, globex]) await mirrorSignInOrganization(store.db, await provider.getOrganization(id));
    });
    after(async () => {
      await store.close();
      await emulator.close();
    });

    const audit = (orgId: string) =>
      inTenant(store.db, orgId, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['type', 'data'])
          .where('organization_id', '=', orgId)
          .orderBy('seq')
          .execute(),
      );

    test("enforcing before enabling fails with the seed's words", async () => {
      assert.deepEqual(await sso.getSsoConfig(globex), {
        enabled: false,
        enforced: false,
        connectionId: null,
        provider: null,
      });
      await assert.rejects(sso.setSsoEnforced(admin, globex, true), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, 'SSO_NOT_ENABLED');
        assert.equal(e.message, 'Cannot enforce SSO when SSO is not enabled');
        return true;
      });
      assert.equal(await sso.isSsoEnforced(globex), false);
    });

    test('enabling checks the connection: it must exist, be active and belong to the organization', async () => {
      await assert.rejects(
        sso.enableSso(admin, globex, { connectionId: 'not-a-connection' }),
        code('SSO_CONNECTION_INVALID'),
      );
      await assert.rejects(
        sso.enableSso(admin, globex, { connectionId: 'conn_01NOSUCHCONNECTION' }),
        code('SSO_CONNECTION_NOT_FOUND'),
      );
      // Acme's connection offered for Globex: answered exactly like an unknown one.
      await assert.rejects(
        sso.enableSso(admin, globex, { connectionId: acmeConnection }),
        code('SSO_CONNECTION_NOT_FOUND'),
      );
      const draft = await fetch(`${emulator.url}/_emulator/connections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.apiKey}` },
        body: JSON.stringify({ organization_id: globex, connection_type: 'GoogleSAML', state: 'draft' }),
      }).then((r) => r.json() as Promise<{ id: string }>);
      await assert.rejects(sso.enableSso(admin, globex, { connectionId: draft.id }), code('SSO_CONNECTION_INVALID'));
      assert.equal((await audit(globex)).length, 0, 'refusals change nothing');
    });

    test('enable, enforce (published to every instance), disable — each audited', async () => {
      const seen: RevocationEvent[] = [];
      const bus = openRevocationBus({ store });
      await bus.ready;
      bus.subscribe({ onEvent: (e) => seen.push(e), onReset: () => undefined });
      try {
        const enabled = await sso.enableSso(admin, acme, { connectionId: acmeConnection });
        assert.deepEqual(enabled, {
          enabled: true,
          enforced: false,
          connectionId: acmeConnection,
          provider: 'GenericSAML',
        });
        await sso.enableSso(admin, acme, { connectionId: acmeConnection }); // idempotent: no second entry
        const enforced = await sso.setSsoEnforced(admin, acme, true);
        assert.equal(enforced.enforced, true);
        assert.equal(await sso.isSsoEnforced(acme), true);
        await inTenant(store.db, acme, async (tx) => assert.equal(await sso.isSsoEnforced(acme, tx), true));
        for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(seen, [{ kind: 'organization', organizationId: acme, reason: 'sso_enforced' }]);
        const disabled = await sso.disableSso(admin, acme);
        assert.deepEqual(disabled, { enabled: false, enforced: false, connectionId: null, provider: null });
        assert.equal(await sso.isSsoEnforced(acme), false, 'disabling clears enforcement');
        const entries = await audit(acme);
        assert.deepEqual(
          entries.map((e) => e.type),
          ['sso.connection_created', 'sso.enforcement_enabled', 'sso.connection_removed'],
        );
        assert.equal(entries[0]!.data.provider, 'GenericSAML');
        assert.equal(entries[2]!.data.wasEnforced, true);
      } finally {
        await bus.close();
      }
    });

    test('the database refuses enforcement without SSO enabled, whatever the caller', async () => {
      await assert.rejects(
        inTenant(store.db, globex, (tx) =>
          tx.insertInto('sso_configs').values({ organization_id: globex, enabled: false, enforced: true }).execute(),
        ),
      );
      await assert.rejects(
        inTenant(store.db, globex, (tx) =>
          tx.insertInto('sso_configs').values({ organization_id: globex, enabled: true }).execute(),
        ),
        'enabled needs a connection',
      );
    });

    test("another tenant's transaction does not see the configuration", async () => {
      await sso.enableSso(admin, acme, { connectionId: acmeConnection });
      const seenFromGlobex = await inTenant(store.db, globex, (tx) =>
        tx.selectFrom('sso_configs').selectAll().execute(),
      );
      assert.ok(seenFromGlobex.every((r) => r.organization_id === globex));
    });
  });
