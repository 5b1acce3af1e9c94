// Runs `gatehouse serve` as a child process (a real server instance, as production runs N of them)
// and waits for its "listening" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CHILD_NODE_FLAGS } from './cli.ts';

export interface GatehouseProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON log line the process wrote so far. */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface GatehouseProcessOptions {
  /** The tree to run `bin/gatehouse.js` from (another release, a production install); the current one by default. */
  cwd?: string;
  /** Extra arguments after `serve` (e.g. --embedded). */
  args?: string[];
}

export async function startGatehouseProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
  options: GatehouseProcessOptions = {},
): Promise<GatehouseProcess> {
  const logs: Array<Record<string, unknown>> = [];
  const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, 'bin/gatehouse.js', 'serve', ...(options.args ?? [])], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gatehouse serve did not start: ${stderr}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`gatehouse serve exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        logs.push(entry);
        if (entry.msg === 'listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    url,
    child,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
