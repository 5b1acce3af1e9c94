// Serving the app on a port with a graceful stop: stop accepting, let in-flight requests finish
// (up to a deadline, then cut idle and remaining sockets), and only then release resources.
import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { AppError } from '../core/errors.ts';
import { problemBody } from './problem.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting and waits for in-flight requests, at most `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

/** A listening socket whose app comes later; requests wait until `serve` gives it one. */
export interface BoundPort extends RunningServer {
  /** Requests that arrived before the app and wait for it. */
  readonly waiting: number;
  serve(app: Hono): RunningServer;
}

/**
 * Binds the port before the app exists. Port 0 becomes a real port here, so a PUBLIC_URL built
 * from it names a socket this process already holds — probing a free port and binding it later
 * leaves a window in which anything else on the machine may take it. A port in use fails here,
 * before any slower start work.
 */
export async function bindPort(options: { port: number; host: string }): Promise<BoundPort> {
  const http: Server = createServer();
  // A request that arrives while the process is still starting (a browser opened at once, a load
  // balancer's first probe) is held here and handed to the app when it comes: an http server with
  // no request listener would leave it unanswered for good.
  const held: Array<[IncomingMessage, ServerResponse]> = [];
  const hold = (req: IncomingMessage, res: ServerResponse) => {
    held.push([req, res]);
  };
  http.on('request', hold);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const running: RunningServer = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: (timeoutMs = 10_000) =>
      new Promise<void>((resolve) => {
        // Stopped before the app ever came: the held requests are answered now, as a problem.
        const stopping = new AppError(
          'SERVER_STOPPING',
          'Gatehouse stopped before it finished starting; retry shortly',
        );
        for (const [, res] of held.splice(0)) {
          res
            .writeHead(stopping.status, {
              'content-type': 'application/problem+json',
              connection: 'close',
              'retry-after': '1',
            })
            .end(JSON.stringify(problemBody(stopping)));
        }
        const timer = setTimeout(() => http.closeAllConnections(), timeoutMs);
        timer.unref();
        http.close(() => {
          clearTimeout(timer);
          resolve();
        });
        http.closeIdleConnections();
      }),
  };
  return {
    ...running,
    get waiting() {
      return held.length;
    },
    serve(app) {
      const listener = getRequestListener(app.fetch, { hostname: options.host });
      http.off('request', hold);
      http.on('request', listener);
      for (const [req, res] of held.splice(0)) void listener(req, res);
      return running;
    },
  };
}

export async function listen(app: Hono, options: { port: number; host: string }): Promise<RunningServer> {
  return (await bindPort(options)).serve(app);
}

/** Calls `stop` once on the first SIGTERM or SIGINT; a second signal exits at once. */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      stop(signal).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
