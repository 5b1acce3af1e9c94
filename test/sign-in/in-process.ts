// In-process helpers for the /auth/* route tests: requests through app.request() (no sockets on
// Gatehouse's side; the emulator still answers the SDK over HTTP), a tiny cookie jar, and codes
// minted through the emulator's control API the way a finished hosted sign-in would produce them.
import type { SignInWorld } from './harness.ts';

let lastIp = 0;

export interface Sent {
  res: Response;
  cookies: Record<string, string>;
  json(): Promise<Record<string, unknown>>;
}

/** Each call comes from a fresh source address, so the per-address rate limit stays out of the way. */
export async function send(
  world: SignInWorld,
  path: string,
  init: RequestInit & { cookies?: Record<string, string>; sameOrigin?: boolean } = {},
  ip?: string,
): Promise<Sent> {
  const headers = new Headers(init.headers);
  if (init.cookies && Object.keys(init.cookies).length > 0)
    headers.set(
      'cookie',
      Object.entries(init.cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    );
  if (init.sameOrigin) headers.set('origin', world.url);
  const { cookies: _c, sameOrigin: _s, ...rest } = init;
  const res = await world.gatehouse.app.request(
    `${world.url}${path}`,
    { ...rest, headers },
    { incoming: { socket: { remoteAddress: ip ?? `10.9.${Math.floor(++lastIp / 250)}.${lastIp % 250}` } } },
  );
  const cookies: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    cookies[pair!.slice(0, eq)] = /max-age=0/i.test(line) ? '' : pair!.slice(eq + 1);
  }
  let body: Promise<Record<string, unknown>> | undefined;
  return { res, cookies, json: () => (body ??= res.json() as Promise<Record<string, unknown>>) };
}

export const JSON_ACCEPT = { accept: 'application/json' };

export interface Login {
  cookies: Record<string, string>;
  state: string;
  codeChallenge: string;
  redirectUri: string;
  url: URL;
}

export async function startLogin(world: SignInWorld, query = ''): Promise<Login> {
  const { res, cookies } = await send(world, `/auth/login${query}`);
  if (res.status !== 302) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const url = new URL(res.headers.get('location')!);
  return {
    cookies,
    state: url.searchParams.get('state')!,
    codeChallenge: url.searchParams.get('code_challenge')!,
    redirectUri: url.searchParams.get('redirect_uri')!,
    url,
  };
}

/** A code as the hosted pages would issue it at the end of a sign-in, bound to this login's state and PKCE. */
export async function mintCode(
  world: SignInWorld,
  email: string,
  login: Pick<Login, 'state' | 'codeChallenge' | 'redirectUri'>,
  organizationName?: string,
): Promise<string> {
  const res = await fetch(`${world.emulator.url}/_emulator/authorization_codes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${world.emulator.apiKey}` },
    body: JSON.stringify({
      user_id: world.user(email),
      redirect_uri: login.redirectUri,
      state: login.state,
      code_challenge: login.codeChallenge,
      ...(organizationName ? { organization_id: world.org(organizationName) } : {}),
    }),
  });
  if (res.status !== 201) throw new Error(`minting a code answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { code: string }).code;
}

export function callback(
  world: SignInWorld,
  login: Pick<Login, 'cookies'>,
  params: Record<string, string>,
  json = true,
): Promise<Sent> {
  return send(world, `/auth/callback?${new URLSearchParams(params)}`, {
    cookies: login.cookies,
    headers: json ? JSON_ACCEPT : {},
  });
}

/** Signs `email` in end to end (login, code, callback) and returns the session cookie jar. */
export async function signIn(
  world: SignInWorld,
  email: string,
  organizationName?: string,
): Promise<{ cookies: Record<string, string>; body: Record<string, unknown> }> {
  const login = await startLogin(world);
  const code = await mintCode(world, email, login, organizationName);
  const sent = await callback(world, login, { code, state: login.state });
  const body = await sent.json();
  if (body.responseType !== 'LOGIN_SUCCESSFUL') throw new Error(`sign-in of ${email} ended in ${JSON.stringify(body)}`);
  return { cookies: Object.fromEntries(Object.entries(sent.cookies).filter(([, v]) => v)), body };
}

export async function auditTypes(world: SignInWorld, organizationName: string): Promise<string[]> {
  const { inTenant } = await import('../../src/store/tenant.ts');
  const orgId = world.org(organizationName);
  const rows = await inTenant(world.gatehouse.store.db, orgId, (tx) =>
    tx.selectFrom('audit_events').select('type').where('organization_id', '=', orgId).orderBy('seq').execute(),
  );
  return rows.map((r) => r.type);
}
