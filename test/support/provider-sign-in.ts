// How a test world's people sign in, per AUTH_PROVIDER, so one world and one set of scenarios run
// under each provider:
// - `workos`: the session is opened directly in the store (the WorkOS sign-in itself is covered
//   against the emulator in test/sign-in/); this is what the WorkOS-mode suites have always done.
// - `local`: the email code, mailed through nodemailer to a real SMTP server started here and read
//   from the delivered message, then POST /auth/email/verify (and the organization picker).
// - `oidc`: a real `oidc-provider` per organization, connected by that organization's admin through
//   POST /api/v1 (discovery against the live provider), then home-realm discovery, the provider's
//   login form and the callback.
import { randomBytes } from 'node:crypto';
import { startTestMailbox } from './mailbox.ts';
import type { Gatehouse } from '../../src/app.ts';
import { startDevIdp, type DevIdp } from '../../src/cli/dev-oidc-idp.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { authorizeAt } from '../sign-in/idp-driver.ts';

export type ProviderName = 'workos' | 'local' | 'oidc';
export const PROVIDERS: readonly ProviderName[] = ['workos', 'local', 'oidc'];
const SESSION = 'gatehouse_session';

export interface SignedIn {
  cookie: string;
  sessionId: string;
}

export interface WorldOrg {
  organizationId: string;
  domain: string;
  emails: string[];
  adminId: string;
}

export interface ProviderSignIn {
  /** Configuration this provider needs (AUTH_PROVIDER, SMTP_URL, ...). */
  env: Record<string, string>;
  /** Once Gatehouse runs: each organization, its people's email domain, their emails and an admin. */
  attach(gatehouse: Gatehouse, orgs: readonly WorldOrg[]): Promise<void>;
  /** Signs `email` into `organizationId` the way this provider does (role: the membership's). */
  signIn(email: string, userId: string, organizationId: string, role: string): Promise<SignedIn>;
  close(): Promise<void>;
}

let lastIp = 0;

export async function providerSignIn(provider: ProviderName, publicUrl: string): Promise<ProviderSignIn> {
  let gatehouse: Gatehouse | null = null;
  const gh = (): Gatehouse => {
    if (!gatehouse) throw new Error('attach() first');
    return gatehouse;
  };
  // Requests go straight to the Hono app, each from its own address so the per-source limits of
  // the email code (a real defence) do not throttle a world that signs many people in.
  const send = (path: string, init: RequestInit & { cookies?: Record<string, string> } = {}) => {
    const headers = new Headers(init.headers);
    const cookies = Object.entries(init.cookies ?? {});
    if (cookies.length > 0) headers.set('cookie', cookies.map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method && init.method !== 'GET') headers.set('origin', publicUrl);
    const { cookies: _c, ...rest } = init;
    lastIp++;
    return Promise.resolve(
      gh().app.request(
        `${publicUrl}${path}`,
        { ...rest, headers },
        { incoming: { socket: { remoteAddress: `10.9.${Math.floor(lastIp / 250) % 250}.${lastIp % 250}` } } },
      ),
    );
  };
  const post = (path: string, body: unknown, cookies?: Record<string, string>) =>
    send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      cookies,
    });
  // Finishes a sign-in answer: through the organization picker when the person has several.
  const finish = async (res: Response, organizationId: string): Promise<SignedIn> => {
    let answer = res;
    const body = (await answer.clone().json()) as { responseType: string };
    if (body.responseType === 'ORGANIZATION_SELECTION_REQUIRED')
      answer = await post('/auth/organization-selection', { organizationId }, cookiesOf(answer));
    const done = (await answer.clone().json()) as { responseType: string; organizationId: string };
    const cookie = cookiesOf(answer)[SESSION];
    if (done.responseType !== 'LOGIN_SUCCESSFUL' || done.organizationId !== organizationId || !cookie)
      throw new Error(`sign-in into ${organizationId} failed: ${await answer.text()}`);
    const resolved = await gh().access.sessions!.resolve(cookie);
    if (!resolved.ok) throw new Error('a fresh session does not resolve');
    return { cookie, sessionId: resolved.session.id };
  };
  const direct = async (userId: string, organizationId: string, role: string): Promise<SignedIn> => {
    const created = await inTenant(gh().store.db, organizationId, (tx) =>
      gh().access.sessions!.create(tx, { organizationId, userId, authMethod: 'sso', role }),
    );
    return { cookie: created.cookieValue, sessionId: created.sessionId };
  };

  if (provider === 'workos')
    return {
      env: {},
      attach: async (g) => {
        gatehouse = g;
      },
      signIn: (_email, userId, organizationId, role) => direct(userId, organizationId, role),
      close: async () => {},
    };

  if (provider === 'local') {
    const mailbox = await startTestMailbox();
    const mail = mailbox.mail;
    const codeFor = async (email: string, after: number) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = mail.slice(after).find((m) => m.to === email);
        const code = found?.text.match(/sign-in code is (\d{6})/)?.[1];
        if (code) return code;
        if (Date.now() > deadline) throw new Error(`no code mailed to ${email}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    return {
      env: { AUTH_PROVIDER: 'local', SMTP_URL: mailbox.url },
      attach: async (g) => {
        gatehouse = g;
      },
      async signIn(email, _userId, organizationId) {
        const before = mail.length;
        const asked = await post('/auth/email', { email });
        if (asked.status !== 200) throw new Error(`POST /auth/email answered ${asked.status}`);
        const code = await codeFor(email.toLowerCase(), before);
        return finish(await post('/auth/email/verify', { email, code }), organizationId);
      },
      close: () => mailbox.close(),
    };
  }

  const redirectUri = `${publicUrl}/auth/oidc/callback`;
  const idps: DevIdp[] = [];
  return {
    env: { AUTH_PROVIDER: 'oidc' },
    async attach(g, orgs) {
      gatehouse = g;
      for (const org of orgs) {
        const idp = await startDevIdp({
          clientId: `gatehouse-${org.domain}`,
          clientSecret: randomBytes(24).toString('base64url'),
          redirectUris: [redirectUri],
          accounts: org.emails.map((email) => ({ email })),
        });
        idps.push(idp);
        // The organization's admin adds its connection through the API, from a session opened
        // directly (there is no connection to sign in through yet).
        const admin = await direct(org.adminId, org.organizationId, 'admin');
        const res = await post(
          `/api/v1/organizations/${org.organizationId}/sso/oidc-connections`,
          {
            name: `IdP ${org.domain}`,
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            domains: [org.domain],
          },
          { [SESSION]: admin.cookie },
        );
        if (res.status !== 201) throw new Error(`adding the connection answered ${res.status}: ${await res.text()}`);
        await gh().access.sessions!.revoke(admin.sessionId, { type: 'system', id: null });
      }
    },
    async signIn(email, _userId, organizationId) {
      const started = await post('/auth/sso', { email });
      if (started.status !== 200) throw new Error(`POST /auth/sso answered ${started.status}`);
      const { authorizationUrl } = (await started.json()) as { authorizationUrl: string };
      const back = await authorizeAt(authorizationUrl, email, redirectUri);
      const res = await send(`${back.pathname}${back.search}`, {
        headers: { accept: 'application/json' },
        cookies: { gatehouse_login: cookiesOf(started).gatehouse_login! },
      });
      return finish(res, organizationId);
    },
    close: async () => {
      await Promise.all(idps.map((i) => i.close()));
    },
  };
}

export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = /max-age=0/i.test(line) ? '' : pair!.slice(eq + 1);
  }
  return out;
}
