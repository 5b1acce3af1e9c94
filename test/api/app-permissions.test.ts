// App-defined permissions end to end on a running Gatehouse started with
// GATEHOUSE_APP_PERMISSIONS_FILE: the catalogue is listed with sources, an admin puts `notes:write`
// into a custom role, an API key with that role carries it through introspection, the client's
// `can()` and the forward-auth headers; the ceiling refuses it to a role manager who lacks it; and
// a permission the file stops declaring stays in the role row but grants nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGatehouseClient } from '../../packages/client/src/index.ts';
import { createAccessVerifier } from '../../src/access/access-verifier.ts';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';
import { checkedApi } from '../support/openapi-responses.ts';

const FILE = `permissions:
  - slug: notes:read
    description: Read notes
    roles: [member]
  - slug: notes:write
    description: Create and edit notes
`;

describe('app-defined permissions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-app-permissions-'));
  let world: AppWorld;
  let api: ReturnType<typeof checkedApi>;
  let writerKey = '';

  before(async () => {
    const file = join(dir, 'permissions.yaml');
    writeFileSync(file, FILE);
    world = await startAppWorld({ env: { GATEHOUSE_APP_PERMISSIONS_FILE: file } });
    api = checkedApi(world.gatehouse.app);
  });
  after(async () => {
    await world?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A call as Acme's admin, through the app key (an admin-role organization key). */
  const asAdmin = (path: string, method = 'GET', body?: unknown) =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${world.appKeys.acme}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const introspect = async (token: string) => {
    const res = await asAdmin('/api/v1/introspect', 'POST', { token });
    return (await res.json()) as { active: boolean; auth: { permissions: string[]; role: string } };
  };

  it("lists Gatehouse's permissions and the app's, each marked by source", async () => {
    const res = await asAdmin('/api/v1/permissions');
    assert.equal(res.status, 200);
    const { data } = (await res.json()) as { data: { slug: string; source: string; description: string }[] };
    assert.deepEqual(
      data.filter((p) => p.source === 'app'),
      [
        { slug: 'notes:read', description: 'Read notes', source: 'app' },
        { slug: 'notes:write', description: 'Create and edit notes', source: 'app' },
      ],
    );
    assert.deepEqual(
      data.filter((p) => p.source === 'gatehouse').map((p) => p.slug),
      ALL_PERMISSIONS,
    );
  });

  it('gives the built-in roles their defaults: admin every app permission, member notes:read', async () => {
    const roles = (await (await asAdmin(`/api/v1/organizations/${world.orgs.acme}/roles`)).json()) as {
      data: { slug: string; permissions: string[] }[];
    };
    const of = (slug: string) => roles.data.find((r) => r.slug === slug)!.permissions;
    assert.ok(of('admin').includes('notes:write') && of('admin').includes('notes:read'));
    assert.ok(of('member').includes('notes:read') && !of('member').includes('notes:write'));
    const res = await asAdmin('/api/v1/introspect', 'POST', { cookie: world.members.bob.cookie });
    const body = (await res.json()) as { auth: { permissions: string[] } };
    assert.ok(body.auth.permissions.includes('notes:read'));
    assert.ok(!body.auth.permissions.includes('notes:write'));
  });

  it('refuses a role with a permission that is not declared (422)', async () => {
    const res = await asAdmin(`/api/v1/organizations/${world.orgs.acme}/roles`, 'POST', {
      slug: 'archiver',
      name: 'Archiver',
      permissions: ['notes:archive'],
    });
    assert.equal(res.status, 422);
  });

  it('a custom role with notes:write reaches an API key, introspection, can() and /auth/verify', async () => {
    const created = await asAdmin(`/api/v1/organizations/${world.orgs.acme}/roles`, 'POST', {
      slug: 'writer',
      name: 'Writer',
      permissions: ['notes:write', 'notes:read'],
    });
    assert.equal(created.status, 201);
    assert.deepEqual(((await created.json()) as { permissions: string[] }).permissions, ['notes:write', 'notes:read']);
    const key = await asAdmin(`/api/v1/organizations/${world.orgs.acme}/api-keys`, 'POST', {
      name: 'notes backend',
      role: 'writer',
    });
    assert.equal(key.status, 201);
    writerKey = ((await key.json()) as { secret: string }).secret;

    const answer = await introspect(writerKey);
    assert.equal(answer.active, true);
    assert.equal(answer.auth.role, 'writer');
    assert.deepEqual([...answer.auth.permissions].sort(), ['notes:read', 'notes:write']);

    const client = createGatehouseClient({ url: world.url, credential: world.appKeys.acme, revocationStream: false });
    try {
      const auth = await client.authenticate({ headers: { authorization: `Bearer ${writerKey}` } });
      assert.equal(auth.can('notes:write'), true);
      assert.equal(auth.can('members:read'), false);
    } finally {
      client.close();
    }

    const verified = await fetch(`${world.url}/auth/verify`, { headers: { authorization: `Bearer ${writerKey}` } });
    assert.equal(verified.status, 200);
    const header = verified.headers.get('x-gatehouse-permissions') ?? '';
    assert.deepEqual(header.split(' ').sort(), ['notes:read', 'notes:write']);
    assert.equal(verified.headers.get('x-gatehouse-role'), 'writer');
  });

  it('the ceiling refuses notes:write to a role manager who does not hold it', async () => {
    const made = await asAdmin(`/api/v1/organizations/${world.orgs.acme}/roles`, 'POST', {
      slug: 'rolemgr',
      name: 'Role manager',
      permissions: ['roles:manage', 'api_keys:manage', 'members:read', 'notes:read'],
    });
    assert.equal(made.status, 201);
    const key = await asAdmin(`/api/v1/organizations/${world.orgs.acme}/api-keys`, 'POST', {
      name: 'role manager',
      role: 'rolemgr',
    });
    const managerKey = ((await key.json()) as { secret: string }).secret;
    const asManager = (path: string, body: unknown) =>
      api.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${managerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const refused = await asManager(`/api/v1/organizations/${world.orgs.acme}/roles`, {
      slug: 'sneaky',
      name: 'Sneaky',
      permissions: ['notes:write'],
    });
    assert.equal(refused.status, 403);
    const problem = (await refused.json()) as { code: string; missing?: string[] };
    assert.equal(problem.code, 'AUTH_PERMISSION_CEILING');
    // Nor through a role that carries it: the admin built-in role or the writer role, on a key.
    for (const role of ['writer', 'admin']) {
      const viaKey = await asManager(`/api/v1/organizations/${world.orgs.acme}/api-keys`, { name: 'x', role });
      assert.equal(viaKey.status, 403, role);
    }
    // What it holds it may grant.
    const allowed = await asManager(`/api/v1/organizations/${world.orgs.acme}/roles`, {
      slug: 'reader',
      name: 'Reader',
      permissions: ['notes:read'],
    });
    assert.equal(allowed.status, 201);
  });

  it('a permission the file stops declaring stays in the role row and grants nothing', async () => {
    assert.ok(writerKey, 'the writer key of the test above');
    const narrowed = createPermissionCatalogue([{ slug: 'notes:read', description: 'Read notes', roles: ['member'] }]);
    const verifier = createAccessVerifier({ db: world.gatehouse.store.db, permissions: narrowed });
    try {
      const auth = await verifier.verifyCredential({ bearer: writerKey });
      assert.deepEqual(auth.permissions, ['notes:read']);
    } finally {
      verifier.close();
    }
    const row = await inTenant(world.gatehouse.store.db, world.orgs.acme, (tx) =>
      tx
        .selectFrom('organization_roles')
        .select('permissions')
        .where('organization_id', '=', world.orgs.acme)
        .where('slug', '=', 'writer')
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual(row.permissions, ['notes:write', 'notes:read']);
  });
});
