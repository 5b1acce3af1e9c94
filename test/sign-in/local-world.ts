// Gatehouse with AUTH_PROVIDER=local, built by the real composition root on a test store, mailing
// through nodemailer to a real SMTP server (the `smtp-server` package) listening on port 0 in the
// test. Codes are read from the delivered messages, as a person reads them from their inbox.
import { openGatehouse, type Gatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { bindPort } from '../../src/http/serve.ts';
import type { Store } from '../../src/store/store.ts';
import { TEST_SECRET } from '../support/access-fixtures.ts';
import { startTestMailbox, type Delivered } from '../support/mailbox.ts';

export interface LocalWorld {
  gatehouse: Gatehouse;
  store: Store;
  url: string;
  mail: Delivered[];
  /** Moves the clock Gatehouse reads (codes, sessions). */
  advance(ms: number): void;
  /** The newest code mailed to `email`, waiting (with a deadline) for the delivery. */
  codeFor(email: string, after?: number): Promise<{ code: string; link: string }>;
  send(path: string, init?: RequestInit & { cookies?: Record<string, string> }, ip?: string): Promise<Response>;
  close(): Promise<void>;
}

let lastIp = 0;

export async function openLocalWorld(
  openStore: () => Promise<Store>,
  signup: 'invitation' | 'domain' | 'open' = 'invitation',
  options: { listen?: boolean; env?: Record<string, string> } = {},
): Promise<LocalWorld> {
  const mailbox = await startTestMailbox();
  const mail = mailbox.mail;
  let now = Date.now();
  // Listening (for a browser): on a free port of this machine, which PUBLIC_URL must name.
  const bound = options.listen ? await bindPort({ port: 0, host: '127.0.0.1' }) : null;
  const port = bound?.port ?? null;
  const url = port ? `http://127.0.0.1:${port}` : 'http://gatehouse.test';
  const config = parseConfig({
    ...(port ? { PORT: String(port), HOST: '127.0.0.1' } : { PUBLIC_URL: url }),
    AUTH_PROVIDER: 'local',
    LOCAL_SIGNUP: signup,
    GATEHOUSE_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    SMTP_URL: mailbox.url,
    RECONCILE_INTERVAL_SECONDS: '0',
    RETENTION_INTERVAL_SECONDS: '0',
    ...options.env,
  });
  const store = await openStore();
  const gatehouse = await openGatehouse(config, { store, logger: createLogger('silent'), clock: () => now });
  const server = bound ? bound.serve(gatehouse.app) : null;
  const linkPattern = new RegExp(`(${url.replace(/[.]/g, '\\.')}/auth/email/verify\\?\\S+)`);

  return {
    gatehouse,
    store,
    url,
    mail,
    advance: (ms) => {
      now += ms;
    },
    async codeFor(email, after = 0) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = mail
          .slice(after)
          .reverse()
          .find((m) => m.to === email.toLowerCase());
        const code = found?.text.match(/sign-in code is (\d{6})/)?.[1];
        const link = found?.text.match(linkPattern)?.[1];
        if (code && link) return { code, link };
        if (Date.now() > deadline) throw new Error(`no code mailed to ${email}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    send(path, init = {}, ip) {
      const headers = new Headers(init.headers);
      if (init.cookies && Object.keys(init.cookies).length > 0)
        headers.set(
          'cookie',
          Object.entries(init.cookies)
            .map(([k, v]) => `${k}=${v}`)
            .join('; '),
        );
      if (init.method && init.method !== 'GET') headers.set('origin', url);
      const { cookies: _c, ...rest } = init;
      return Promise.resolve(
        gatehouse.app.request(
          `${url}${path}`,
          { ...rest, headers },
          {
            incoming: { socket: { remoteAddress: ip ?? `10.7.${Math.floor(++lastIp / 250)}.${lastIp % 250}` } },
          },
        ),
      );
    },
    async close() {
      await server?.close(1000);
      await gatehouse.close();
      await mailbox.close();
    },
  };
}

export const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

export const json = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify(fields),
});

export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = /max-age=0/i.test(line) ? '' : pair!.slice(eq + 1);
  }
  return out;
}
