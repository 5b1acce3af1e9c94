// Two organizations with an SSO connection each and people in both, on the real composition root
// (openGatehouse) over a test store, with the WorkOS emulator answering the unmodified SDK over
// HTTP. Helpers sign people in the ways the sign-in policy tests need: by password, through an
// organization's connection that Gatehouse chose, or through another connection than the one
// Gatehouse chose (the provider comes back with another organization).
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { openGatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { callback, send, startLogin, type Sent } from '../sign-in/in-process.ts';
import type { SignInWorld } from '../sign-in/harness.ts';

export const SECRET = 'access-test-secret-0123456789-abcdefghijklmnopq';
export const ORGS = ['Alpha', 'Beta'] as const;
export type OrgName = (typeof ORGS)[number];

export const SEED = {
  organizations: ORGS.map((name) => ({
    name,
    domains: [],
    connections: [{ type: 'OktaSAML', name: `${name} Okta`, state: 'active' }],
  })),
  users: [
    {
      email: 'ada@both.test',
      password: 'ada-both-demo-pass',
      memberships: [
        { organization: 'Alpha', role: 'admin' },
        { organization: 'Beta', role: 'admin' },
      ],
    },
    {
      email: 'bea@both.test',
      password: 'bea-both-demo-pass',
      memberships: [
        { organization: 'Alpha', role: 'admin' },
        { organization: 'Beta', role: 'member' },
      ],
    },
  ],
};

export interface AccessWorld extends SignInWorld {
  connection(org: OrgName): string;
  /** Signs in and answers the callback's JSON and cookies. */
  signIn(email: string, how: SignInHow): Promise<Sent>;
  setSso(org: OrgName, state: 'off' | 'enabled' | 'enforced'): Promise<void>;
}

/**
 * password into `org`; sso through `org`'s connection, Gatehouse having chosen it (when `org` has
 * SSO enabled); or `through` another organization's connection while Gatehouse chose `org`'s (the
 * provider returns that one). `hosted`: Gatehouse names no organization (AuthKit's page routes).
 */
export type SignInHow = {
  org: OrgName;
  via: 'password' | 'sso';
  through?: OrgName;
  impersonator?: string;
  hosted?: boolean;
};

export async function startAccessWorld(
  options: { openStore?: () => Promise<Store>; env?: Record<string, string>; emulator?: RunningEmulator } = {},
): Promise<AccessWorld> {
  const emulator = options.emulator ?? (await startEmulator({ seed: SEED }));
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://gatehouse.test',
    GATEHOUSE_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    AUTH_PROVIDER: 'workos',
    WORKOS_API_KEY: emulator.apiKey,
    WORKOS_CLIENT_ID: emulator.clientId,
    WORKOS_API_HOSTNAME: '127.0.0.1',
    WORKOS_API_PORT: String(emulator.port),
    WORKOS_API_HTTPS: 'false',
    ...options.env,
  });
  const store = await (options.openStore ?? openPgliteTestStore)();
  const gatehouse = await openGatehouse(config, { store, logger: createLogger('silent') });
  const org = (name: string) => emulator.seed!.organizations[name]!;
  const user = (email: string) => emulator.seed!.users[email]!;
  const connection = (name: OrgName) => emulator.seed!.connections[name]![0]!;
  const system = { type: 'system' as const, id: null };
  const { mirrorSignInOrganization } = await import('../../src/mirror/sign-in-copy.ts');
  for (const name of ORGS)
    await mirrorSignInOrganization(store.db, await gatehouse.identity!.provider.getOrganization(org(name)));
  const world: AccessWorld = {
    emulator,
    gatehouse,
    url: config.PUBLIC_URL,
    org,
    user,
    connection,
    mirrorOrg: async (name) => org(name),
    async signIn(email, how) {
      const login = await startLogin(world, how.via === 'sso' && !how.hosted ? `?organizationId=${org(how.org)}` : '');
      const through = how.via === 'sso' ? connection(how.through ?? how.org) : undefined;
      const res = await fetch(`${emulator.url}/_emulator/authorization_codes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.apiKey}` },
        body: JSON.stringify({
          user_id: user(email),
          redirect_uri: login.redirectUri,
          state: login.state,
          code_challenge: login.codeChallenge,
          ...(through ? { connection_id: through } : { organization_id: org(how.org) }),
          ...(how.impersonator ? { impersonator: { email: how.impersonator, reason: 'support ticket' } } : {}),
        }),
      });
      if (res.status !== 201) throw new Error(`minting a code answered ${res.status}`);
      const { code } = (await res.json()) as { code: string };
      return callback(world, login, { code, state: login.state });
    },
    async setSso(name, state) {
      const { sso } = gatehouse.identity!;
      if (state === 'off') {
        await sso.disableSso(system, org(name));
        return;
      }
      await sso.enableSso(system, org(name), { connectionId: connection(name) });
      await sso.setSsoEnforced(system, org(name), state === 'enforced');
    },
    async close() {
      await gatehouse.close();
      if (!options.emulator) await emulator.close();
    },
  };
  return world;
}

export const cookieName = 'gatehouse_session';

/** A request to the API as a browser (cookie, same origin) or a client (bearer). */
export function apiCall(
  world: AccessWorld,
  path: string,
  credential: { cookie?: string; bearer?: string },
  init: { method?: string; body?: unknown } = {},
): Promise<Sent> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credential.bearer) headers.authorization = `Bearer ${credential.bearer}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return send(world, path, {
    method: init.method ?? 'GET',
    headers,
    sameOrigin: true,
    ...(credential.cookie ? { cookies: { [cookieName]: credential.cookie } } : {}),
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

/** The WorkOS access token Gatehouse holds for a session cookie (what an app would be handed). */
export async function accessTokenOf(world: AccessWorld, cookie: string): Promise<string | null> {
  const sessions = world.gatehouse.access.sessions!;
  const resolved = await sessions.resolve(cookie);
  if (!resolved.ok) return null;
  const token = await sessions.accessTokenFor(resolved.session);
  return token.ok ? token.accessToken : null;
}
