// Shared bench helpers: a PostgreSQL to measure on (BENCH_DATABASE_URL / TEST_DATABASE_URL, or a
// throwaway cluster started with scripts/pg-cluster.sh when PostgreSQL is installed), and timing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function benchPostgresUrl(): Promise<{ url: string; stop(): void } | undefined> {
  const given = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => undefined };
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-pg-'));
  try {
    const url = execFileSync('scripts/pg-cluster.sh', ['start', dir, String(port)], { encoding: 'utf8' }).trim();
    return {
      url,
      stop: () => {
        execFileSync('scripts/pg-cluster.sh', ['stop', dir]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Runs `fn` `total` times over `concurrency` workers; returns operations per second. */
export async function opsPerSecond(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

export function row(label: string, value: number, unit: string, baseline?: number): string {
  const ratio = baseline ? `  (${(value / baseline).toFixed(2)}x of baseline)` : '';
  return `  ${label.padEnd(58)} ${value.toFixed(0).padStart(8)} ${unit}${ratio}`;
}
