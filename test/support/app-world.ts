// A running Gatehouse for the suites that protect an app with it (forward auth, the client package,
// middleware): the composition root on a PGlite store, served on a real port, with two tenants,
// members signed in through server-side sessions, and app credentials — an API key holding
// `sessions:introspect` in each tenant and one in the super-admin organization (multi-tenant apps).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/access/api-keys.ts';
import { openGatehouse, type Gatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { listen, type RunningServer } from '../../src/http/serve.ts';
import { createLogger } from '../../src/logger.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { createOrg, createUser } from './fixtures.ts';
import { openPgliteTestStore } from './stores.ts';

export interface Member {
  userId: string;
  organizationId: string;
  /** The session cookie's value (what the browser sends as gatehouse_session=...). */
  cookie: string;
  sessionId: string;
}

export interface AppWorld {
  gatehouse: Gatehouse;
  url: string;
  orgs: { acme: string; globex: string; staff: string };
  /** Acme admin, Acme member (no admin permissions), Globex admin. */
  members: { ada: Member; bob: Member; gus: Member };
  /** `sessions:introspect` keys: Acme's (sees Acme only) and the super-admin organization's (sees all). */
  appKeys: { acme: string; staff: string };
  /** A session for `member`'s user, fresh (for revocation tests). */
  signIn(member: Member, role?: string): Promise<Member>;
  revokeSession(member: Member): Promise<void>;
  close(): Promise<void>;
}

const adminCreator = (organizationId: string, userId: string, permissions: readonly string[]): AuthContext => ({
  principal: { type: 'user', userId },
  organizationId,
  role: 'admin',
  permissions,
  authMethod: 'session',
  isSuperAdmin: false,
});

/** `env`: more configuration, e.g. GATEHOUSE_APP_PERMISSIONS_FILE for an app that declares its permissions. */
export async function startAppWorld(options: { env?: Record<string, string> } = {}): Promise<AppWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-app-world-'));
  const store = await openPgliteTestStore();
  const staff = await createOrg(store.db, 'Gatehouse staff');
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://127.0.0.1',
    GATEHOUSE_SECRET: 'app-world-secret-0123456789-abcdefghijkl',
    GATEHOUSE_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    GATEHOUSE_SUPERADMIN_ORG: staff,
    ...options.env,
  });
  const gatehouse = await openGatehouse(config, { store, logger: createLogger('silent') });
  await gatehouse.access.bus.ready;
  const server: RunningServer = await listen(gatehouse.app, { port: 0, host: '127.0.0.1' });
  const sessions = gatehouse.access.sessions!;
  const db = store.db;

  const join_ = async (organizationId: string, email: string, role: string) => {
    const userId = await createUser(db, email);
    await inTenant(db, organizationId, (tx) =>
      tx
        .insertInto('organization_memberships')
        .values({
          organization_id: organizationId,
          id: `om_${userId.slice(-20)}`,
          user_id: userId,
          role_slug: role,
          status: 'active',
          source: 'manual',
        })
        .execute(),
    );
    return userId;
  };
  const signIn = async (m: { userId: string; organizationId: string }, role = 'admin'): Promise<Member> => {
    const created = await inTenant(db, m.organizationId, (tx) =>
      sessions.create(tx, { organizationId: m.organizationId, userId: m.userId, authMethod: 'sso', role }),
    );
    return {
      userId: m.userId,
      organizationId: m.organizationId,
      cookie: created.cookieValue,
      sessionId: created.sessionId,
    };
  };
  const appKey = async (organizationId: string, userId: string) =>
    (
      await inTenant(db, organizationId, (tx) =>
        createApiKey(tx, {
          catalogue: gatehouse.permissions,
          creator: adminCreator(organizationId, userId, gatehouse.permissions.all),
          name: 'app',
          role: 'admin',
          ownership: 'organization',
        }),
      )
    ).secret;

  const acme = await createOrg(db, 'Acme');
  const globex = await createOrg(db, 'Globex');
  const adaId = await join_(acme, 'ada@acme.test', 'admin');
  const bobId = await join_(acme, 'bob@acme.test', 'member');
  const gusId = await join_(globex, 'gus@globex.test', 'admin');
  const staffId = await join_(staff, 'sam@gatehouse.test', 'admin');
  return {
    gatehouse,
    url: server.url,
    orgs: { acme, globex, staff },
    members: {
      ada: await signIn({ userId: adaId, organizationId: acme }),
      bob: await signIn({ userId: bobId, organizationId: acme }, 'member'),
      gus: await signIn({ userId: gusId, organizationId: globex }),
    },
    appKeys: { acme: await appKey(acme, adaId), staff: await appKey(staff, staffId) },
    signIn,
    revokeSession: async (m) => {
      await sessions.revoke(m.sessionId, { type: 'system', id: null });
    },
    async close() {
      await server.close(500);
      await gatehouse.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
