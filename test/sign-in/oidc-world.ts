// Gatehouse with AUTH_PROVIDER=oidc and LOCAL_EMAIL_CODE=on, built by the real composition root,
// with two real `oidc-provider` identity providers (organizations A and B, one each) and the
// connections added by each organization's admin through POST /api/v1 (discovery against the
// live provider). Email codes are read from a real SMTP server (local-world.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startDevIdp, type DevIdp, type DevIdpAccount } from '../../src/cli/dev-oidc-idp.ts';
import type { Store } from '../../src/store/store.ts';
import { orgWithMember } from '../support/access-fixtures.ts';
import { authorizeAt } from './idp-driver.ts';
import { cookiesOf, json, openLocalWorld, type LocalWorld } from './local-world.ts';

export const SESSION = 'gatehouse_session';

export interface OrgSide {
  organizationId: string;
  adminCookie: string;
  connectionId: string;
  idp: DevIdp;
}

export interface OidcWorld extends LocalWorld {
  a: OrgSide;
  b: OrgSide;
  redirectUri: string;
  /** Signs in by email code; answers the session cookie (or throws). */
  emailCodeSession(email: string): Promise<string>;
  /** Adds a connection as `side`'s admin; answers the API's response. */
  addConnection(
    side: Pick<OrgSide, 'organizationId' | 'adminCookie'>,
    body: Record<string, unknown>,
  ): Promise<Response>;
  /** POST /auth/sso for `email`: the identity provider URL and the login cookie it set. */
  startSso(email: string): Promise<{ authorizationUrl: string; loginCookie: string }>;
  /** The whole flow: home-realm discovery, the provider's login as `login`, then the callback. */
  signInThrough(email: string, login?: string): Promise<Response>;
  callback(callbackUrl: URL, loginCookie: string): Promise<Response>;
}

export const ACCOUNTS_A: DevIdpAccount[] = [
  { email: 'ada@a.test', givenName: 'Ada', familyName: 'A' },
  { email: 'carol@a.test', givenName: 'Carol' },
  { email: 'unverified@a.test', emailVerified: false },
  { email: 'eve@elsewhere.test' },
  { email: 'bob@b.test' },
];
export const ACCOUNTS_B: DevIdpAccount[] = [{ email: 'bob@b.test', givenName: 'Bob' }, { email: 'ada@a.test' }];

export async function openOidcWorld(openStore: () => Promise<Store>, options: { listen?: boolean } = {}) {
  const world = await openLocalWorld(openStore, 'invitation', {
    ...options,
    env: { AUTH_PROVIDER: 'oidc', LOCAL_EMAIL_CODE: 'on' },
  });
  const redirectUri = `${world.url}/auth/oidc/callback`;
  const idps: DevIdp[] = [];
  const close = async () => {
    await Promise.all(idps.map((i) => i.close()));
    await world.close();
  };
  try {
    const emailCodeSession = async (email: string) => {
      const before = world.mail.length;
      assert.equal((await world.send('/auth/email', json({ email }))).status, 200);
      const { code } = await world.codeFor(email, before);
      const res = await world.send('/auth/email/verify', json({ email, code }));
      const cookie = cookiesOf(res)[SESSION];
      if (!cookie) throw new Error(`no session for ${email}: ${await res.text()}`);
      return cookie;
    };
    const addConnection = (side: Pick<OrgSide, 'organizationId' | 'adminCookie'>, body: Record<string, unknown>) =>
      world.send(`/api/v1/organizations/${side.organizationId}/sso/oidc-connections`, {
        ...json({}),
        body: JSON.stringify(body),
        cookies: { [SESSION]: side.adminCookie },
      });
    const side = async (name: 'a' | 'b', accounts: DevIdpAccount[]): Promise<OrgSide> => {
      const idp = await startDevIdp({
        clientId: `gatehouse-${name}`,
        clientSecret: randomBytes(24).toString('base64url'),
        redirectUris: [redirectUri],
        accounts,
      });
      idps.push(idp);
      const { organizationId } = await orgWithMember(world.store.db, 'admin', `admin@${name}.test`);
      const adminCookie = await emailCodeSession(`admin@${name}.test`);
      const res = await addConnection(
        { organizationId, adminCookie },
        {
          name: `IdP ${name.toUpperCase()}`,
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          domains: [`${name}.test`],
        },
      );
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = (await res.json()) as { id: string };
      return { organizationId, adminCookie, connectionId: id, idp };
    };
    const a = await side('a', ACCOUNTS_A);
    const b = await side('b', ACCOUNTS_B);

    const startSso = async (email: string) => {
      const res = await world.send('/auth/sso', json({ email }));
      assert.equal(res.status, 200, await res.clone().text());
      const { authorizationUrl } = (await res.json()) as { authorizationUrl: string };
      return { authorizationUrl, loginCookie: cookiesOf(res).gatehouse_login! };
    };
    const callback = (callbackUrl: URL, loginCookie: string) =>
      world.send(`${callbackUrl.pathname}${callbackUrl.search}`, {
        headers: { accept: 'application/json' },
        cookies: { gatehouse_login: loginCookie },
      });
    const signInThrough = async (email: string, login = email) => {
      const { authorizationUrl, loginCookie } = await startSso(email);
      return callback(await authorizeAt(authorizationUrl, login, redirectUri), loginCookie);
    };
    const out: OidcWorld = {
      ...world,
      a,
      b,
      redirectUri,
      emailCodeSession,
      addConnection,
      startSso,
      signInThrough,
      callback,
      close,
    };
    return out;
  } catch (error) {
    await close();
    throw error;
  }
}
