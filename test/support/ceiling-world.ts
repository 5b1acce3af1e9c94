// A world for the permission-ceiling suites: the emulator (WorkOS, over HTTP through the unmodified
// SDK), a store, and the real HTTP app with server-side sessions, so every grant goes through
// `app.request()` exactly as a browser or script would send it. `seedOrg` creates an organization
// in WorkOS and the mirror with people holding the given roles (built-in or custom), a directory
// group holding some of them, and a session cookie for each.
import { WorkOS } from '@workos-inc/node';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createAccessVerifier } from '../../src/access/access-verifier.ts';
import { createPermissionCatalogue, type PermissionCatalogue } from '../../src/core/permission-catalogue.ts';
import { BUILT_IN_ROLES } from '../../src/core/permissions.ts';
import { createAccessRevoker } from '../../src/mirror/access-revoker.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createWorkosOrganizationAdmin } from '../../src/identity/workos/workos-organization-admin.ts';
import { createLogger } from '../../src/logger.ts';
import { publishRevocation } from '../../src/sessions/revocation-bus.ts';
import { createSessionService, type SessionService } from '../../src/sessions/session-service.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { makeEvent } from '../webhooks/support.ts';

export interface CeilingWorld {
  emulator: RunningEmulator;
  workos: WorkOS;
  store: Store;
  sessions: SessionService;
  app: ReturnType<typeof createHttpApp>;
  cookieName: string;
  /** Applies a provider event through the webhook inbox, with a clock that only moves forward. */
  send(type: string, data: Record<string, unknown>): Promise<void>;
  /** Mirrors WorkOS's current copy of a membership, as its webhook would. */
  mirrorMembership(membershipId: string): Promise<void>;
  call(
    cookie: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  /** Posts an admin page form as the browser would (same origin unless `headers` say otherwise). */
  form(
    cookie: string,
    path: string,
    fields: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
  /** GATEHOUSE_SUPERADMIN_ORG for the credentials resolved from now on. */
  setSuperAdminOrg(organizationId: string): void;
  access: ReturnType<typeof createAccessRevoker>;
  organizationAdmin: ReturnType<typeof createWorkosOrganizationAdmin>;
  close(): Promise<void>;
}

export interface SeededPerson {
  userId: string;
  membershipId: string;
  role: string;
  cookie: string;
  email: string;
}

export interface SeededOrg {
  id: string;
  people: SeededPerson[];
  groupId: string;
  directoryId: string;
}

/** `options.permissions`: the install's catalogue (an app's permissions too); default Gatehouse's own. */
export async function openCeilingWorld(
  store: Store,
  options: { permissions?: PermissionCatalogue } = {},
): Promise<CeilingWorld> {
  const permissions = options.permissions ?? createPermissionCatalogue();
  const emulator = await startEmulator({ seed: false });
  const port = Number(new URL(emulator.url).port);
  const workosOptions = {
    apiKey: emulator.apiKey,
    clientId: emulator.clientId,
    apiHostname: '127.0.0.1',
    port,
    https: false,
  };
  const workos = new WorkOS(emulator.apiKey, {
    apiHostname: '127.0.0.1',
    port,
    https: false,
    clientId: emulator.clientId,
  });
  const sessions = createSessionService({
    db: store.db,
    secrets: ['c'.repeat(40)],
    config: {
      PUBLIC_URL: 'http://app.test',
      SESSION_IDLE_TIMEOUT_SECONDS: 3600,
      SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
    },
  });
  // No credential cache: what a credential may do is read from the mirror on every request, so
  // these suites see the ceiling alone (cache eviction on narrowing is the revocation suites' job).
  let verifier = createAccessVerifier({ db: store.db, sessions, cacheTtlSeconds: 0, permissions });
  const organizationAdmin = createWorkosOrganizationAdmin(workosOptions);
  const access = createAccessRevoker({ publish: publishRevocation, roles: organizationAdmin });
  const app = createHttpApp({
    store,
    logger: createLogger('silent'),
    permissions,
    publicUrl: 'http://app.test',
    sessions,
    organizationAdmin,
    accessRevoker: access,
    authenticate: (c) => verifier.verify(c.req.raw),
  });
  let clock = Date.now();
  const send = async (type: string, data: Record<string, unknown>) => {
    clock = Math.max(clock + 1, Date.now());
    await ingestEvent({ db: store.db, access }, makeEvent(type, data, new Date(clock)), 'webhook');
  };
  return {
    emulator,
    workos,
    store,
    sessions,
    app,
    cookieName: sessions.cookie.name,
    send,
    access,
    organizationAdmin,
    setSuperAdminOrg(organizationId) {
      verifier = createAccessVerifier({
        db: store.db,
        sessions,
        cacheTtlSeconds: 0,
        permissions,
        superAdminOrganizationId: organizationId,
      });
    },
    async form(cookie, path, fields, headers = {}) {
      const res = await app.request(path, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: {
          cookie: `${sessions.cookie.name}=${cookie}`,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
      });
      return { status: res.status, body: await res.text() };
    },
    async mirrorMembership(membershipId) {
      const m = await workos.userManagement.getOrganizationMembership(membershipId);
      await send('organization_membership.updated', {
        object: 'organization_membership',
        id: m.id,
        user_id: m.userId,
        organization_id: m.organizationId,
        status: m.status,
        role: { slug: m.role.slug },
      });
    },
    async call(cookie, method, path, body, headers = {}) {
      const res = await app.request(path, {
        method,
        headers: {
          cookie: `${sessions.cookie.name}=${cookie}`,
          'sec-fetch-site': 'same-origin',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
      };
    },
    async close() {
      await emulator.close();
    },
  };
}

const BUILT_IN = new Set(BUILT_IN_ROLES.map((r) => r.slug));
let seeded = 0;

/**
 * An organization with custom roles `roles` (slug -> permissions) and one person per entry of
 * `people` holding that role. WorkOS knows only its built-in roles, so a person with a custom role
 * is a `member` there; the mirror holds their Gatehouse role. People whose index is in `grouped`
 * are in the directory group `eng`.
 */
export async function seedOrg(
  world: CeilingWorld,
  spec: { roles: Record<string, readonly string[]>; people: string[]; grouped: number[] },
): Promise<SeededOrg> {
  const tag = `${++seeded}${Date.now().toString(36)}`;
  const org = await world.workos.organizations.createOrganization({ name: `Ceiling ${tag}` });
  const at = new Date(Date.now() - 60_000);
  await asSystem(world.store.db, 'test fixture', async (tx) => {
    await tx.insertInto('organizations').values({ id: org.id, name: org.name }).execute();
    for (const [slug, permissions] of Object.entries(spec.roles)) {
      await tx
        .insertInto('organization_roles')
        .values({ organization_id: org.id, slug, name: slug, permissions: [...permissions] })
        .execute();
    }
  });
  const people: SeededPerson[] = [];
  for (const [i, role] of spec.people.entries()) {
    const email = `p${i}-${tag}@ceiling.test`;
    const user = await world.workos.userManagement.createUser({ email, emailVerified: true });
    const m = await world.workos.userManagement.createOrganizationMembership({
      organizationId: org.id,
      userId: user.id,
      roleSlug: BUILT_IN.has(role) ? role : 'member',
    });
    await asSystem(world.store.db, 'test fixture', async (tx) => {
      await tx.insertInto('users').values({ id: user.id, email }).execute();
      await tx
        .insertInto('organization_memberships')
        .values({
          organization_id: org.id,
          id: m.id,
          user_id: user.id,
          role_slug: role,
          status: 'active',
          source: 'manual',
          provider_updated_at: at,
        })
        .execute();
    });
    const cookie = (
      await inTenant(world.store.db, org.id, (tx) =>
        world.sessions.create(tx, { organizationId: org.id, userId: user.id, authMethod: 'sso', role }),
      )
    ).cookieValue;
    people.push({ userId: user.id, membershipId: m.id, role, cookie, email });
  }
  const directoryId = `directory_01${tag.toUpperCase().padEnd(12, '0')}`;
  const groupId = `directory_group_01${tag.toUpperCase().padEnd(12, '0')}`;
  await world.send('dsync.activated', {
    object: 'directory',
    id: directoryId,
    organization_id: org.id,
    name: 'Dir',
    type: 'okta scim v2.0',
    state: 'active',
  });
  const group = {
    object: 'directory_group',
    id: groupId,
    directory_id: directoryId,
    organization_id: org.id,
    idp_id: 'eng',
    name: 'eng',
  };
  await world.send('dsync.group.created', group);
  for (const i of spec.grouped) {
    const p = people[i]!;
    const du = {
      object: 'directory_user',
      id: `directory_user_${i}${tag}`,
      directory_id: directoryId,
      organization_id: org.id,
      idp_id: `u${i}`,
      email: p.email,
      first_name: 'P',
      last_name: `${i}`,
      state: 'active',
      emails: [],
    };
    await world.send('dsync.user.created', du);
    await world.send('dsync.group.user_added', { directory_id: directoryId, user: du, group });
  }
  return { id: org.id, people, groupId, directoryId };
}
