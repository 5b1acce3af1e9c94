// `gatehouse api-keys` and `gatehouse migrate --dry-run` as a child process against a real database
// (PostgreSQL when TEST_DATABASE_URL is set, else a PGlite folder): keys are listed, created and
// revoked through the API key service acting as an existing key, within that key's ceiling.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../src/access/api-keys.ts';
import type { AuthContext } from '../src/core/auth-context.ts';
import { ALL_PERMISSIONS } from '../src/core/permissions.ts';
import { loadMigrations } from '../src/store/migrator.ts';
import { openStore, type Store, type StoreLocation } from '../src/store/store.ts';
import { asSystem, inTenant } from '../src/store/tenant.ts';
import { runCli } from './support/cli.ts';
import { createOrg, createUser } from './support/fixtures.ts';
import { createTestDatabase, TEST_DATABASE_URL } from './support/stores.ts';
import { createPermissionCatalogue } from '../src/core/permission-catalogue.ts';

describe('gatehouse api-keys and migrate --dry-run', () => {
  let dir: string;
  let env: Record<string, string>;
  let location: StoreLocation;
  let drop: (() => Promise<void>) | undefined;
  let store: Store;
  let orgId: string;
  let adminKey: string;
  let managerKey: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-cli-ops-'));
    if (TEST_DATABASE_URL) {
      const db = await createTestDatabase();
      drop = db.drop;
      location = { engine: 'postgres', url: db.url };
      env = { DATABASE_URL: db.url, GATEHOUSE_DATA_DIR: dir };
    } else {
      location = { engine: 'pglite', dataDir: join(dir, 'pglite') };
      env = { DATABASE_URL: '', GATEHOUSE_DATA_DIR: dir };
    }
    // Before any migration: a dry run lists every migration and applies none.
    const fresh = await runCli(['migrate', '--dry-run'], env);
    assert.equal(fresh.code, 0, fresh.stderr);
    const all = loadMigrations().map((m) => `would apply ${String(m.version).padStart(4, '0')}_${m.name}`);
    assert.deepEqual(fresh.stdout.trim().split('\n'), [`database at version 0 (${location.engine})`, ...all]);

    store = await openStore(location);
    orgId = await createOrg(store.db, 'Cli Org');
    const userId = await createUser(store.db, 'ops-admin@cli.test');
    await asSystem(store.db, 'fixture', (tx) =>
      tx
        .insertInto('organization_roles')
        .values({
          organization_id: orgId,
          slug: 'key-manager',
          name: 'Key manager',
          permissions: ['api_keys:manage', 'organization:read'],
        })
        .execute(),
    );
    // An admin's first key, as the admin page would create it for a signed-in admin.
    const admin: AuthContext = {
      principal: { type: 'user', userId },
      organizationId: orgId,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session',
      isSuperAdmin: false,
    };
    adminKey = (
      await inTenant(store.db, orgId, (tx) =>
        createApiKey(tx, {
          catalogue: createPermissionCatalogue(),
          creator: admin,
          name: 'automation',
          role: 'admin',
          ownership: 'organization',
        }),
      )
    ).secret;
    managerKey = (
      await inTenant(store.db, orgId, (tx) =>
        createApiKey(tx, {
          catalogue: createPermissionCatalogue(),
          creator: admin,
          name: 'limited',
          role: 'key-manager',
          ownership: 'organization',
        }),
      )
    ).secret;
  });
  after(async () => {
    await store?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrate --dry-run on a migrated database has nothing to apply', async () => {
    const r = await runCli(['migrate', '--dry-run'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to apply/);
  });

  it("creates, lists and revokes keys within the acting key's ceiling, never printing the acting key", async () => {
    const created = await runCli(['api-keys', 'create', '--name', 'ci deploys', '--role', 'member', '--json'], {
      ...env,
      GATEHOUSE_API_KEY: adminKey,
    });
    assert.equal(created.code, 0, created.stderr);
    const { apiKey, secret } = JSON.parse(created.stdout) as { apiKey: { id: string; role: string }; secret: string };
    assert.equal(apiKey.role, 'member');
    assert.match(secret, /^gth_live_/);

    const listed = await runCli(['api-keys', 'list', '--json'], { ...env, GATEHOUSE_API_KEY: managerKey });
    assert.equal(listed.code, 0, listed.stderr);
    const names = (JSON.parse(listed.stdout) as { data: Array<{ name: string }> }).data.map((k) => k.name).sort();
    assert.deepEqual(names, ['automation', 'ci deploys', 'limited']);
    assert.ok(!listed.stdout.includes(adminKey) && !listed.stdout.includes(secret), 'list never shows a secret');

    // Ceiling: a key-manager key may not mint an admin key; a member key may not manage keys at all.
    const tooHigh = await runCli(['api-keys', 'create', '--name', 'escalate', '--role', 'admin'], {
      ...env,
      GATEHOUSE_API_KEY: managerKey,
    });
    assert.equal(tooHigh.code, 1);
    assert.match(tooHigh.stderr, /AUTH_API_KEY_ROLE_TOO_HIGH/);
    const member = await runCli(['api-keys', 'list'], { ...env, GATEHOUSE_API_KEY: secret });
    assert.equal(member.code, 1);
    assert.match(member.stderr, /AUTH_FORBIDDEN/);

    const revoked = await runCli(['api-keys', 'revoke', apiKey.id], { ...env, GATEHOUSE_API_KEY: managerKey });
    assert.equal(revoked.code, 0, revoked.stderr);
    const row = await asSystem(store.db, 'test reads', (tx) =>
      tx.selectFrom('api_keys').select('revoked_at').where('id', '=', apiKey.id).executeTakeFirstOrThrow(),
    );
    assert.ok(row.revoked_at, 'the key is revoked in the database');
    const audit = await inTenant(store.db, orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['type', 'actor_type'])
        .where('target_id', '=', apiKey.id)
        .orderBy('seq')
        .execute(),
    );
    assert.deepEqual(audit, [
      { type: 'api_key.created', actor_type: 'api_key' },
      { type: 'api_key.revoked', actor_type: 'api_key' },
    ]);

    const noKey = await runCli(['api-keys', 'list'], env);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /GATEHOUSE_API_KEY: is required/);
  });
});
