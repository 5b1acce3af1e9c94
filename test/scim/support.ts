// A started Gatehouse (composition root, real port, PGlite or PostgreSQL) with SCIM directories
// created through /api/v1 as an organization admin would, and readers of what the suites check
// after every step: the mirror, the person's membership and sessions, and the audit trail.
import { scimClient, type ScimClient } from '../../emulator/scim/testing.ts';
import { newId } from '../../src/core/ids.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';
import { createUser } from '../support/fixtures.ts';
import type { TestEngine } from '../support/stores.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface ScimWorld {
  world: AppWorld;
  /** POST/GET/... to Gatehouse's /api/v1 as Acme's admin API key. */
  api(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  createDirectory(orgId: string, name: string, key?: string): Promise<{ id: string; token: string; baseUrl: string }>;
  scim(token: string): ScimClient;
  verifyDomain(orgId: string, domain: string): Promise<void>;
  createUser(email: string): Promise<string>;
  directoryUser(id: string): Promise<DirectoryUserState | undefined>;
  membership(orgId: string, userId: string): Promise<{ status: string; role_slug: string; source: string } | undefined>;
  liveSessions(orgId: string, userId: string): Promise<number>;
  /** Whether a request with the session cookie is let in (what every instance decides from the store). */
  sessionWorks(cookie: string): Promise<boolean>;
  auditSince(
    orgId: string,
    seq: number,
  ): Promise<
    Array<{ seq: number; type: string; actor_type: string; actor_id: string | null; target_id: string | null }>
  >;
  auditHead(orgId: string): Promise<number>;
  close(): Promise<void>;
}

export interface DirectoryUserState {
  state: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  user_id: string | null;
  deleted_at: Date | null;
}

export async function startScimWorld(engine?: TestEngine): Promise<ScimWorld> {
  const world = await startAppWorld(engine ? { openStore: engine.open } : {});
  const db = world.gatehouse.store.db;
  const api = async (method: string, path: string, body?: unknown, key = world.appKeys.acme) => {
    const res = await fetch(`${world.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    world,
    api,
    async createDirectory(orgId, name, key) {
      const res = await api('POST', `/organizations/${orgId}/scim-directories`, { name }, key);
      if (res.status !== 201) throw new Error(`create directory: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.directory.id, token: res.body.token, baseUrl: res.body.directory.baseUrl };
    },
    scim: (token) => scimClient((url, init) => fetch(url, init), `${world.url}/scim/v2`, token),
    verifyDomain: (orgId, domain) =>
      asSystem(db, 'test fixture', async (tx) => {
        await tx
          .insertInto('organization_domains')
          .values({ organization_id: orgId, id: newId('org_domain'), domain, state: 'verified' })
          .execute();
      }),
    createUser: (email) => createUser(db, email),
    directoryUser: (id) =>
      asSystem(db, 'test read', (tx) =>
        tx
          .selectFrom('directory_users')
          .select(['state', 'email', 'first_name', 'last_name', 'user_id', 'deleted_at'])
          .where('id', '=', id)
          .executeTakeFirst(),
      ),
    membership: (orgId, userId) =>
      asSystem(db, 'test read', (tx) =>
        tx
          .selectFrom('organization_memberships')
          .select(['status', 'role_slug', 'source'])
          .where('organization_id', '=', orgId)
          .where('user_id', '=', userId)
          .where('deleted_at', 'is', null)
          .executeTakeFirst(),
      ),
    liveSessions: async (orgId, userId) => {
      const rows = await asSystem(db, 'test read', (tx) =>
        tx
          .selectFrom('sessions')
          .select('id')
          .where('organization_id', '=', orgId)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .execute(),
      );
      return rows.length;
    },
    sessionWorks: async (cookie) => {
      const res = await fetch(`${world.url}/api/v1/me`, { headers: { cookie: `gatehouse_session=${cookie}` } });
      await res.arrayBuffer();
      return res.status === 200;
    },
    auditSince: (orgId, seq) =>
      asSystem(db, 'test read', (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['seq', 'type', 'actor_type', 'actor_id', 'target_id'])
          .where('organization_id', '=', orgId)
          .where('seq', '>', seq)
          .orderBy('seq')
          .execute(),
      ),
    auditHead: async (orgId) => {
      const row = await asSystem(db, 'test read', (tx) =>
        tx
          .selectFrom('audit_events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('organization_id', '=', orgId)
          .executeTakeFirst(),
      );
      return Number(row?.seq ?? 0);
    },
    close: () => world.close(),
  };
}
