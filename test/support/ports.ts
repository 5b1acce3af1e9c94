// A TCP port for a server that binds it later: a child process, or a server whose URL must be in
// its own configuration before it listens. The kernel hands out ports from its ephemeral range to
// every listen(0) and every outgoing connection, so a port probed there can be taken before the
// server binds it (EADDRINUSE, at random, under a parallel suite). A port below that range can be
// taken only by another test choosing the same one at random: rare, and retried by the probe.
// A server started in this process binds first instead (`bindPort` in src/http/serve.ts).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;

function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

const handedOut = new Set<number>();

function probe(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port that is free now and outside the range the kernel assigns by itself. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const top = ephemeralStart();
  if (top - LOWEST < 1_000) throw new Error(`no port range below the ephemeral ports (which start at ${top})`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (top - LOWEST));
    if (handedOut.has(port)) continue;
    if (await probe(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found below the ephemeral range after 100 tries');
}
