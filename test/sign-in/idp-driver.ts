// Drives an identity provider's authorization endpoint the way a browser would, without one: follows
// redirects with a cookie jar, fills the `oidc-provider` quick-start login form with an account's
// email, and stops at the redirect back to Gatehouse, answering that callback URL (code, state, iss).
const MAX_HOPS = 12;

export async function authorizeAt(authorizationUrl: string, login: string, redirectPrefix: string): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (url.href.startsWith(redirectPrefix)) return url;
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: cookieHeader() } });
    remember(res);
    init = {};
    const location = res.headers.get('location');
    if (location) {
      await res.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    const page = await res.text();
    const action = page.match(/<form[^>]*action="([^"]+)"/)?.[1];
    if (res.status !== 200 || !action || !/name="login"/.test(page))
      throw new Error(`identity provider answered ${res.status} without a login form`);
    url = new URL(action.replace(/&amp;/g, '&'), url);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
    };
  }
  throw new Error('too many redirects at the identity provider');
}
