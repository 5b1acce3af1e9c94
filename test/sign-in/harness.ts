// A whole sign-in world for tests: the WorkOS emulator (demo seed plus a few extra people) and a
// Gatehouse built by the real composition root on a PGlite test store, pointed at the emulator
// through the official SDK's apiHostname/port/https options, listening on a real port so a browser
// can follow the redirects between the two.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEMO_SEED_PATH, startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { openGatehouse, type Gatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { bindPort } from '../../src/http/serve.ts';
import { mirrorSignInOrganization } from '../../src/mirror/sign-in-copy.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { openPgliteTestStore } from '../support/stores.ts';

export const SECRET = 'sign-in-test-secret-0123456789-abcdefghijklmnop';

/**
 * People beyond the demo seed:
 *   pat@contractors.test  password, member of Initech only. Initech has an active SSO connection
 *                         but owns no domain, so the hosted page offers a password — the case
 *                         Gatehouse's own enforcement must catch. Initech allows SSO profiles
 *                         outside its domains, which WorkOS links only after an emailed code.
 *   dana@globex.test      password, Globex membership deactivated.
 */
export const EXTRA_SEED = {
  organizations: [
    {
      name: 'Initech',
      external_id: 'initech',
      domains: [],
      allow_profiles_outside_organization: true,
      connections: [{ type: 'OktaSAML', name: 'Initech Okta', state: 'active' }],
    },
  ],
  users: [
    {
      email: 'pat@contractors.test',
      password: 'initech-pat-demo',
      first_name: 'Pat',
      last_name: 'Parker',
      memberships: [{ organization: 'Initech', role: 'member' }],
    },
    {
      email: 'dana@globex.test',
      password: 'globex-dana-demo',
      first_name: 'Dana',
      last_name: 'Dorn',
      memberships: [{ organization: 'Globex', role: 'member', status: 'inactive' }],
    },
  ],
};

export function testSeed(): Record<string, unknown[]> {
  const demo = parseYaml(readFileSync(DEMO_SEED_PATH, 'utf8')) as Record<string, unknown[]>;
  return {
    ...demo,
    organizations: [...(demo.organizations ?? []), ...EXTRA_SEED.organizations],
    users: [...(demo.users ?? []), ...EXTRA_SEED.users],
  };
}

export interface SignInWorld {
  emulator: RunningEmulator;
  gatehouse: Gatehouse;
  /** Gatehouse's base URL (also its PUBLIC_URL). */
  url: string;
  org(name: string): string;
  user(email: string): string;
  /** Mirrors an emulator organization into Gatehouse (as webhooks would) so it can be configured. */
  mirrorOrg(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface SignInWorldOptions {
  env?: Record<string, string>;
  /** The store to run on (PGlite by default; test/support/stores.ts testEngines() for PostgreSQL too). */
  openStore?: () => Promise<Store>;
  /** Gatehouse's clock (sessions, credential cache), for tests that move time instead of sleeping. */
  clock?: () => number;
}

export async function startSignInWorld(options: SignInWorldOptions = {}): Promise<SignInWorld> {
  const env = options.env ?? {};
  const emulator = await startEmulator({ seed: testSeed() });
  // Bound before the configuration is built, so PUBLIC_URL names a port this process holds.
  const bound = await bindPort({ port: 0, host: '127.0.0.1' });
  const config = parseConfig({
    PORT: String(bound.port),
    HOST: '127.0.0.1',
    GATEHOUSE_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    AUTH_PROVIDER: 'workos',
    WORKOS_API_KEY: emulator.apiKey,
    WORKOS_CLIENT_ID: emulator.clientId,
    WORKOS_API_HOSTNAME: '127.0.0.1',
    WORKOS_API_PORT: String(emulator.port),
    WORKOS_API_HTTPS: 'false',
    ...env,
  });
  const store = await (options.openStore ?? openPgliteTestStore)();
  const gatehouse = await openGatehouse(config, {
    store,
    logger: createLogger('silent'),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = bound.serve(gatehouse.app);
  const org = (name: string) => {
    const id = emulator.seed?.organizations[name];
    if (!id) throw new Error(`no seeded organization ${name}`);
    return id;
  };
  const user = (email: string) => {
    const id = emulator.seed?.users[email];
    if (!id) throw new Error(`no seeded user ${email}`);
    return id;
  };
  return {
    emulator,
    gatehouse,
    url: config.PUBLIC_URL,
    org,
    user,
    async mirrorOrg(name) {
      const id = org(name);
      await mirrorSignInOrganization(store.db, await gatehouse.identity!.provider.getOrganization(id));
      return id;
    },
    async close() {
      await server.close(1000);
      await gatehouse.close();
      await emulator.close();
    },
  };
}
