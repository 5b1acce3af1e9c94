// A running Gatehouse for the suites that protect an app with it (forward auth, the client package,
// middleware): the composition root on a PGlite store, served on a real port, with two tenants,
// members signed in through server-side sessions, and app credentials — an API key holding
// `sessions:introspect` in each tenant and one in the super-admin organization (multi-tenant apps).
// `provider` picks how the world's people sign in (support/provider-sign-in.ts): WorkOS mode opens
// sessions directly; `local` signs them in by email code, `oidc` through a real `oidc-provider` per
// organization, so the same suites run whichever provider signs people in.
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
import type { Store } from '../../src/store/store.ts';
import { providerSignIn, type ProviderName } from './provider-sign-in.ts';

export interface Member {
  userId: string;
  organizationId: string;
  /** The session cookie's value (what the browser sends as gatehouse_session=...). */
  cookie: string;
  sessionId: string;
}

export interface AppWorld {
  gatehouse: Gatehouse;
  provider: ProviderName;
  url: string;
  orgs: { acme: string; globex: string; staff: string };
  /** Acme admin, Acme member (no admin permissions), Globex admin. */
  members: { ada: Member; bob: Member; gus: Member };
  /** `sessions:introspect` keys: Acme's (sees Acme only) and the super-admin organization's (sees all). */
  appKeys: { acme: string; staff: string };
  /** A session for `member`'s user, fresh (for revocation tests); through the world's provider. */
  signIn(member: Member, role?: string): Promise<Member>;
  /**
   * A new person with an active membership. Under `oidc` their identity provider must know them:
   * use `person1`..`person6` at the organization's domain (acme.test, globex.test, gatehouse.test).
   */
  join(organizationId: string, email: string, role: string): Promise<string>;
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
export async function startAppWorld(
  options: { env?: Record<string, string>; openStore?: () => Promise<Store>; provider?: ProviderName } = {},
): Promise<AppWorld> {
  const provider = options.provider ?? 'workos';
  const signer = await providerSignIn(provider, 'http://127.0.0.1');
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-app-world-'));
  const store = await (options.openStore ?? openPgliteTestStore)();
  const staff = await createOrg(store.db, 'Gatehouse staff');
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://127.0.0.1',
    GATEHOUSE_SECRET: 'app-world-secret-0123456789-abcdefghijkl',
    GATEHOUSE_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    GATEHOUSE_SUPERADMIN_ORG: staff,
    ...signer.env,
    ...options.env,
  });
  const gatehouse = await openGatehouse(config, { store, logger: createLogger('silent') });
  await gatehouse.access.bus.ready;
  const server: RunningServer = await listen(gatehouse.app, { port: 0, host: '127.0.0.1' });
  const sessions = gatehouse.access.sessions!;
  const db = store.db;
  const emails = new Map<string, string>();

  const join_ = async (organizationId: string, email: string, role: string) => {
    const userId = await createUser(db, email);
    emails.set(userId, email);
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
    const created = await signer.signIn(emails.get(m.userId)!, m.userId, m.organizationId, role);
    return { userId: m.userId, organizationId: m.organizationId, ...created };
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
  // People who join later (join()) sign in too: under `oidc` the identity providers know them ahead.
  const extra = (domain: string) => [1, 2, 3, 4, 5, 6].map((n) => `person${n}@${domain}`);
  await signer.attach(gatehouse, [
    {
      organizationId: acme,
      domain: 'acme.test',
      emails: ['ada@acme.test', 'bob@acme.test', ...extra('acme.test')],
      adminId: adaId,
    },
    {
      organizationId: globex,
      domain: 'globex.test',
      emails: ['gus@globex.test', ...extra('globex.test')],
      adminId: gusId,
    },
    {
      organizationId: staff,
      domain: 'gatehouse.test',
      emails: ['sam@gatehouse.test', ...extra('gatehouse.test')],
      adminId: staffId,
    },
  ]);
  return {
    gatehouse,
    provider,
    url: server.url,
    orgs: { acme, globex, staff },
    members: {
      ada: await signIn({ userId: adaId, organizationId: acme }),
      bob: await signIn({ userId: bobId, organizationId: acme }, 'member'),
      gus: await signIn({ userId: gusId, organizationId: globex }),
    },
    appKeys: { acme: await appKey(acme, adaId), staff: await appKey(staff, staffId) },
    signIn,
    join: join_,
    revokeSession: async (m) => {
      await sessions.revoke(m.sessionId, { type: 'system', id: null });
    },
    async close() {
      await server.close(500);
      await gatehouse.close();
      await signer.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
