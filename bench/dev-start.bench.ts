// `npm start` from spawn to ready, beside baselines measured in the same run. "Ready" is the start
// banner: dev prints it once the server listens, the emulator answers and the initial
// reconciliation has put the demo mirror in place; /readyz is then asked once and must answer 200.
//   fresh      a new data folder (the embedded database copied from the PGlite template cache)
//   first      a new data folder with the template cache removed (the first start on a machine:
//              PGlite's initdb runs, and the template is kept for the next fresh folder)
//   warm       the same folder again (database, emulator world and secret already there)
// Baselines: a bare `node -e` HTTP server answering (the floor any start pays), and opening the
// warm embedded database and checking its migrations alone, each in its own process.
// BENCH_DEV_START_RUNS (default 3) runs of each; medians are printed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteTemplateCacheDir } from '../src/store/pglite-folder.ts';
import { row } from './support.ts';
import { freePort } from '../test/support/ports.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const QUIET = {
  GATEHOUSE_SECRET: '',
  WORKOS_API_KEY: '',
  WORKOS_CLIENT_ID: '',
  WORKOS_WEBHOOK_SECRET: '',
  DATABASE_URL: '',
  PUBLIC_URL: '',
  GATEHOUSE_SUPERADMIN_ORG: '',
  LOG_LEVEL: 'warn',
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Spawns `args` and resolves with the milliseconds until stdout matches `ready`; the child keeps running. */
function timeUntil(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ ms: number; child: ChildProcess; out: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env } });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within 180 s:\n${out}`));
    }, 180_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ ms: performance.now() - started, child, out });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

/** One `gatehouse dev` start on `dataDir`: milliseconds to the banner, /readyz checked, then stopped. */
async function devStart(dataDir: string): Promise<number> {
  const port = await freePort();
  const { ms, child, out } = await timeUntil(
    ['bin/gatehouse.js', 'dev'],
    { ...QUIET, PORT: String(port), GATEHOUSE_DATA_DIR: dataDir },
    /Stop with Ctrl\+C/,
  );
  try {
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const ready = await fetch(`${url}/readyz`);
    if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status} after the banner`);
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
  return ms;
}

async function bareNode(): Promise<number> {
  const port = await freePort();
  const { ms, child } = await timeUntil(
    ['-e', `require('node:http').createServer((q, s) => s.end()).listen(${port}, () => console.log('listening'))`],
    {},
    /listening/,
  );
  child.kill('SIGTERM');
  await exited(child);
  return ms;
}

async function pgliteOpenAlone(dataDir: string): Promise<number> {
  const script = `import { openStore } from './src/store/store.ts';
const s = await openStore({ engine: 'pglite', dataDir: ${JSON.stringify(join(dataDir, 'pglite'))} });
console.log('open');
await s.close();`;
  const { ms, child } = await timeUntil(['--input-type=module', '-e', script], {}, /open/);
  await exited(child);
  return ms;
}

export async function devStartBench(): Promise<string[]> {
  const runs = Math.max(1, Number(process.env.BENCH_DEV_START_RUNS ?? 3));
  const out = [`dev start: spawn to ready banner + /readyz 200 (median of ${runs}, one process at a time)`];
  const figures = { bare: [] as number[], open: [] as number[], first: [] as number[] };
  const fresh: number[] = [];
  const warm: number[] = [];
  const dirs: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-dev-'));
      dirs.push(dir);
      if (i === 0) {
        rmSync(pgliteTemplateCacheDir(), { recursive: true, force: true });
        figures.first.push(await devStart(dir));
      } else {
        fresh.push(await devStart(dir));
      }
      warm.push(await devStart(dir));
      figures.bare.push(await bareNode());
      figures.open.push(await pgliteOpenAlone(dir));
    }
    // The first start's folder is fresh too once the template exists: one more fresh run keeps the count.
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-dev-'));
    dirs.push(dir);
    fresh.push(await devStart(dir));
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const bare = median(figures.bare);
  const open = median(figures.open);
  out.push(row('baseline: bare node -e HTTP server answering', bare, 'ms'));
  out.push(row('baseline: PGlite open + migrations check (warm folder)', open, 'ms'));
  out.push(row('warm data folder', median(warm), 'ms', bare));
  out.push(`  ${''.padEnd(58)} ${''.padStart(8)}     (${(median(warm) / open).toFixed(2)}x of PGlite open alone)`);
  out.push(row('fresh data folder (PGlite template cached)', median(fresh), 'ms', bare));
  out.push(row('first start on this machine (initdb, template written)', median(figures.first), 'ms', bare));
  return out;
}
