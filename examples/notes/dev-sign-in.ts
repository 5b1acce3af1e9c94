// A password sign-in through Gatehouse and the dev emulator's hosted pages, over plain HTTP: what a
// browser does (GET /auth/login, the email and password forms, the callback), done by a script so
// the start script can act as the demo admin once to create the app's API key, and the bench can
// sign someone in without Chromium. Dev only: it reads the emulator's own forms.

type Jar = Map<string, string>;

function keepCookies(jar: Jar, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
}

const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function send(url: string, jar: Jar, form?: Record<string, string>): Promise<Response> {
  const res = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: {
      cookie: cookieHeader(jar),
      accept: 'text/html',
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  keepCookies(jar, res);
  return res;
}

/** Follows redirects by hand (cookies per origin are not needed here: one jar, distinct names). */
async function follow(res: Response, from: string, jar: Jar, stopAt?: string): Promise<{ res: Response; url: string }> {
  let url = from;
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location')!, url).href;
    if (stopAt && url.startsWith(stopAt)) return { res, url };
    res = await send(url, jar);
  }
  return { res, url };
}

function flowOf(page: string, action: string): string {
  const form = page.split('<form').find((f) => f.includes(`action="${action}"`));
  const flow = form && /name="flow" value="([^"]+)"/.exec(form)?.[1];
  if (!flow) throw new Error(`the sign-in page has no ${action} form`);
  return flow;
}

/**
 * Signs a one-organization user in with a password through `gatehouseUrl` (its PUBLIC_URL) and
 * answers the gatehouse_session cookie's value.
 */
export async function devPasswordSignIn(gatehouseUrl: string, email: string, password: string): Promise<string> {
  const jar: Jar = new Map();
  const start = `${gatehouseUrl}/auth/login`;
  const emailPage = await follow(await send(start, jar), start, jar);
  const emulator = new URL(emailPage.url).origin;
  const flow = flowOf(await emailPage.res.text(), '/_hosted/authorize/email');
  const passwordPage = await follow(
    await send(`${emulator}/_hosted/authorize/email`, jar, { flow, email }),
    `${emulator}/_hosted/authorize/email`,
    jar,
  );
  const flow2 = flowOf(await passwordPage.res.text(), '/_hosted/authorize/password');
  const done = await follow(
    await send(`${emulator}/_hosted/authorize/password`, jar, { flow: flow2, email, password }),
    `${emulator}/_hosted/authorize/password`,
    jar,
    `${gatehouseUrl}/auth/callback`,
  );
  if (!done.url.startsWith(`${gatehouseUrl}/auth/callback`))
    throw new Error(`the password sign-in of ${email} did not come back to Gatehouse (HTTP ${done.res.status})`);
  const callback = await send(done.url, jar);
  const cookie = jar.get('gatehouse_session');
  // An organization picker (a user of several organizations) also lands here: it sets no cookie.
  if (!cookie) throw new Error(`Gatehouse did not sign ${email} in (HTTP ${callback.status})`);
  return cookie;
}
