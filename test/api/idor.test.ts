// The IDOR table: every documented /api/v1 route that names an organization, tried against
// organization A's resources with the credentials of people who must not see them: another
// organization's admin, a member of A without the route's permission, another organization's
// API key, and no credential. Expected: 404, 403, 404, 401, and no byte of A's data. Credentials
// are real API keys resolved by the real access verifier; the routes include SSO and the admin
// portal, served through the WorkOS adapter against the emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createAccessVerifier } from '../../src/access/access-verifier.ts';
import { createApiKey } from '../../src/access/api-keys.ts';
import { operatorGranter } from '../../src/access/ceiling.ts';
import { appendAuditEvent } from '../../src/audit/audit-log.ts';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { ALL_PERMISSIONS, BUILT_IN_ROLES, type Permission } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createWorkosOrganizationAdmin } from '../../src/identity/workos/workos-organization-admin.ts';
import { createWorkosProvider } from '../../src/identity/workos/workos-provider.ts';
import { createLogger } from '../../src/logger.ts';
import { createRole } from '../../src/organizations/roles.ts';
import { createSsoService } from '../../src/sso/sso-config.ts';
import { createSessionService } from '../../src/sessions/session-service.ts';
import type { Store } from '../../src/store/store.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';

// Well-formed ids of things that may or may not exist: the walls must answer before any lookup.
const ID_PREFIXES: Record<string, string> = {
  membershipId: 'om',
  invitationId: 'invitation',
  sessionId: 'ses',
  userId: 'user',
  groupId: 'directory_group',
  directoryId: 'directory',
  connectionId: 'conn',
};
const MEMBER_PERMISSIONS = BUILT_IN_ROLES.find((r) => r.slug === 'member')!.permissions;

describe('IDOR table over every organization route', () => {
  let emulator: RunningEmulator;
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  let orgA: string;
  let victimKeyId: string;
  const keys: Record<string, string> = {};
  const secretsOfA: string[] = [];

  before(async () => {
    emulator = await startEmulator();
    store = await openPgliteTestStore();
    orgA = await createOrg(store.db, 'Victim Corp');
    const orgB = await createOrg(store.db, 'Attacker Inc');
    const creator = (org: string, userId: string): AuthContext => ({
      principal: { type: 'user', userId },
      organizationId: org,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
      authMethod: 'session',
      isSuperAdmin: false,
    });
    const adminA = creator(orgA, await createUser(store.db, 'victim@victim.test'));
    const adminB = creator(orgB, await createUser(store.db, 'attacker@attacker.test'));
    await createRole(
      store.db,
      orgA,
      { slug: 'victim-role', name: 'Victim role', permissions: ['audit:read'] },
      operatorGranter({ type: 'system', id: null }, createPermissionCatalogue()),
    );
    await inTenant(store.db, orgA, (tx) =>
      appendAuditEvent(tx, { organizationId: orgA, type: 'victim.secret_event', actor: { type: 'system', id: null } }),
    );
    const mint = async (ctx: AuthContext, role: string, name: string) =>
      inTenant(store.db, ctx.organizationId, (tx) =>
        createApiKey(tx, {
          catalogue: createPermissionCatalogue(),
          creator: ctx,
          name,
          role,
          ownership: 'organization',
        }),
      );
    const victim = await mint(adminA, 'admin', 'victim-key');
    victimKeyId = victim.apiKey.id;
    secretsOfA.push(
      'Victim Corp',
      'victim-role',
      'victim.secret_event',
      'victim-key',
      victim.apiKey.displayPrefix,
      'victim@victim.test',
    );
    keys.adminB = (await mint(adminB, 'admin', 'b-admin')).secret;
    keys.memberA = (await mint(adminA, 'member', 'a-member')).secret;
    keys.keyB = (await mint(adminB, 'member', 'b-member')).secret;

    const port = Number(new URL(emulator.url).port);
    const workos = {
      apiKey: emulator.apiKey,
      clientId: emulator.clientId,
      apiHostname: '127.0.0.1',
      port,
      https: false,
    };
    const provider = createWorkosProvider(workos);
    const sessions = createSessionService({
      db: store.db,
      secrets: ['i'.repeat(40)],
      config: {
        PUBLIC_URL: 'http://app.test',
        SESSION_IDLE_TIMEOUT_SECONDS: 3600,
        SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
      },
    });
    const verifier = createAccessVerifier({ db: store.db, sessions });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      publicUrl: 'http://app.test',
      authenticate: (c) => verifier.verify(c.req.raw),
      sso: { sso: createSsoService({ db: store.db, provider }), provider },
      organizationAdmin: createWorkosOrganizationAdmin(workos),
      sessions,
    });
  });
  after(async () => {
    await store?.close();
    await emulator?.close();
  });

  it('answers 404/403/404/401 everywhere and leaks nothing', async () => {
    const doc = await (await app.request('/api/v1/openapi.json')).json();
    const fill = (template: string) =>
      template
        .replace('{orgId}', orgA)
        .replace('{keyId}', victimKeyId)
        .replace('{slug}', 'victim-role')
        .replace(/\{(\w+)\}/g, (_m, name: string) => `${ID_PREFIXES[name] ?? name}_01ABCDEFGHJKMNPQRSTVWXYZ01`);
    let tried = 0;
    let leaked = 0;
    const failures: string[] = [];
    for (const [template, operations] of Object.entries(
      doc.paths as Record<string, Record<string, { 'x-permission'?: Permission }>>,
    )) {
      if (!template.includes('{orgId}')) continue;
      for (const [method, op] of Object.entries(operations)) {
        const permission = op['x-permission'];
        const cases: [string, string | null, number][] = [
          ['admin of another organization', keys.adminB!, 404],
          [
            'member of this organization',
            keys.memberA!,
            permission && !MEMBER_PERMISSIONS.includes(permission) ? 403 : 200,
          ],
          ['API key of another organization', keys.keyB!, 404],
          ['no credential', null, 401],
        ];
        for (const [who, key, expected] of cases) {
          if (expected === 200) continue; // the member may read this: not an attack
          tried += 1;
          const res = await app.request(`/api/v1${fill(template)}`, {
            method: method.toUpperCase(),
            headers: {
              ...(key ? { authorization: `Bearer ${key}` } : {}),
              ...(method === 'get' || method === 'delete' ? {} : { 'content-type': 'application/json' }),
            },
            ...(method === 'get' || method === 'delete' ? {} : { body: '{}' }),
          });
          const text = await res.text();
          const leak = secretsOfA.find((s) => text.includes(s));
          if (res.status !== expected || leak) {
            leaked += 1;
            failures.push(
              `${method.toUpperCase()} ${template} as ${who}: ${res.status} (expected ${expected})${leak ? ` leaking "${leak}"` : ''}`,
            );
          }
        }
      }
    }
    console.log(`IDOR table: tried ${tried} leaked ${leaked}`);
    assert.ok(tried >= 40, `only ${tried} cases were tried`);
    assert.deepEqual(failures, []);
    // The victim's key still works: nothing above changed it.
    const list = await inTenant(store.db, orgA, (tx) =>
      tx.selectFrom('api_keys').select(['id', 'revoked_at']).where('id', '=', victimKeyId).executeTakeFirstOrThrow(),
    );
    assert.equal(list.revoked_at, null);
  });
});
