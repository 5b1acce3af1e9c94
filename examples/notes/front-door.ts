// One origin for the app and Gatehouse, as an ingress would route them in production: /notes and
// below go to the notes app, every other path to Gatehouse. It matters because Gatehouse only
// sends a browser back to a path on its own origin (PUBLIC_URL: threat, an open redirect after
// sign-in) and only accepts cookie-carrying form posts (organization switch, sign-out) from that
// origin (CSRF). With both behind one origin, `/auth/login?returnTo=/notes` and the switcher's
// `returnTo=/notes` are plain same-origin paths, and the session cookie reaches the app too.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

export interface FrontDoor {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const isAppPath = (path: string) =>
  path === '/notes' || path.startsWith('/notes/') || path.startsWith('/notes?');

/** Forwards one request to Gatehouse unchanged (Host included: Gatehouse judges origins by PUBLIC_URL). */
function forward(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request(
    { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('Gatehouse is not reachable (yet)\n');
  });
  req.pipe(upstream);
}

/** Listens on `host:port` (0: a free port) and routes by path to `app` or to Gatehouse at `gatehouseUrl`. */
export function openFrontDoor(options: {
  app: { fetch: (request: Request) => Response | Promise<Response> };
  gatehouseUrl: string;
  host: string;
  port: number;
}): Promise<FrontDoor> {
  const target = new URL(options.gatehouseUrl);
  const toApp = getRequestListener(options.app.fetch);
  const server = createServer((req, res) => {
    if (isAppPath(req.url ?? '/')) void toApp(req, res);
    else forward(target, req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host}:${port}`,
        server,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
