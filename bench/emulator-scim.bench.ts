// The emulator's SCIM endpoint alone (no webhook endpoint, no Gatehouse): 10 concurrent clients
// push N users the way Okta does — a `userName eq` look-up, then the create — over HTTP. Client and
// emulator share this process, so the figure is a lower bound for the endpoint. The clients speak
// node:http over keep-alive sockets: undici's fetch costs about as much CPU per request as the
// endpoint itself, which would measure the client more than the server sharing its core.
import { Agent, request } from 'node:http';
import { startEmulator } from '../emulator/index.ts';
import { setupScimDirectory } from '../test/webhooks/scim-workload.ts';
import { row } from './support.ts';

interface Answer {
  status: number;
  body: any;
}

/** A minimal SCIM client on node:http; one socket per concurrent client, kept alive. */
function httpScimClient(base: string, token: string, sockets: number) {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path: `${url.pathname}${path}`,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/scim+json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    close: () => agent.destroy(),
  };
}

export async function emulatorScimRate(users: number): Promise<string[]> {
  const emu = await startEmulator({ seed: false });
  const clients = 10;
  try {
    const dir = await setupScimDirectory(emu);
    const token = emu.world.scimTokens.get(dir.directoryId) ?? '';
    const scim = httpScimClient(`${emu.url}/scim/v2/${dir.directoryId}`, token, clients);
    let next = 0;
    let requests = 0;
    const started = performance.now();
    try {
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < users) {
            const i = next++;
            const userName = `e${i}@scim-rate.test`;
            const found = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
            if (found.status !== 200 || found.body.totalResults !== 0) throw new Error('SCIM look-up failed');
            const r = await scim.post('/Users', {
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName,
              active: true,
              name: { givenName: 'E', familyName: String(i) },
              emails: [{ value: userName, primary: true }],
            });
            if (r.status !== 201) throw new Error(`SCIM create answered ${r.status}`);
            requests += 2;
          }
        }),
      );
    } finally {
      scim.close();
    }
    const seconds = (performance.now() - started) / 1000;
    if (emu.world.directoryUsers.size !== users)
      throw new Error(`the directory holds ${emu.world.directoryUsers.size}`);
    return [
      `emulator SCIM endpoint alone (${users} users, look-up + create each, ${clients} concurrent clients, one process)`,
      row('  SCIM requests per second', requests / seconds, 'req/s'),
    ];
  } finally {
    await emu.close();
  }
}
