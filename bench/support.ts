// Shared bench helpers: a PostgreSQL to measure on (BENCH_DATABASE_URL / TEST_DATABASE_URL, or a
// throwaway cluster started with scripts/pg-cluster.sh when PostgreSQL is installed), and timing.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../test/support/ports.ts';

export async function benchPostgresUrl(): Promise<{ url: string; stop(): void } | undefined> {
  const given = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => undefined };
  const port = await freePort();
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

/** A database of its own on the bench's PostgreSQL, so a run starts empty and leaves nothing behind. */
export async function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
