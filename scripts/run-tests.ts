// Runs every *.test.ts under src/, protocols/, emulator/, scripts/ and test/ with Node's test runner.
// Usage: npm test [-- path-filter ...] [-- --record-durations]; a filter keeps the files whose path
// contains it.
//
// Short files share processes (scripts/test-plan.ts): a bundle is a generated entry file that
// imports its files one after another, each inside a suite named after the file's path, so a
// file's hooks stay its own and its tests report under its name. Processes start longest first, by
// the durations recorded in test/durations.json; `node --test` sorts the files it is given, so the
// runner calls run() with its own order. --record-durations merges this run's per-file durations
// into that file.
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { pathToFileURL } from 'node:url';
import { durationsReporter } from './test-durations-reporter.ts';
import { planTestRun } from './test-plan.ts';

const DURATIONS = 'test/durations.json';
const record = process.argv.includes('--record-durations');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const known = (existsSync(DURATIONS) ? JSON.parse(readFileSync(DURATIONS, 'utf8')) : {}) as Record<string, number>;
const files = ['src', 'protocols', 'emulator', 'scripts', 'test']
  .flatMap((dir) => globSync(`${dir}/**/*.test.ts`))
  .filter((f) => !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Three processes on two cores: test processes wait on servers, browsers and timers part of the
// time, and a third one fills those waits (measured: 2 → 3 took a run from 349 to 328 s; 4 gained
// nothing more).
const concurrency = Number(process.env.TEST_CONCURRENCY ?? '3');
const plan = planTestRun({
  files,
  seconds: known,
  wantsOwnProcess: (f) => /test-isolation: process/.test(readFileSync(f, 'utf8').slice(0, 2000)),
  concurrency,
  // 45 s: about 20 bundles, so process starts (a second of CPU each) stay few while the longest
  // file (the newcomer walk, 80 s) still bounds the run's tail.
  bundleSeconds: 45,
});
// Every test process compiles the same modules: V8's code cache on disk (inherited through the
// environment, as `gatehouse` itself does) saves part of each process's start. Chosen before the
// run's own temporary folder, so the cache outlives the run.
const cache = enableCompileCache();
if (cache.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;
const scratch = useMemoryScratch();
const bundleDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-bundles-'));
const planned = new Set(files);
const entries = plan.map((entry, i) => (entry.files.length === 1 ? entry.files[0]! : writeBundle(i, entry.files)));
// --liftoff-only: V8 compiles PGlite's PostgreSQL (9 MB of WebAssembly) with its baseline compiler
// only. Tiering its hot functions up to the optimizing compiler costs more CPU than a test process
// ever wins back, and about 500 MB of memory per process (measured: a store suite's CPU halves).
// Test support passes the flag on to the `gatehouse` processes it starts (test/support/cli.ts).
// scripts/test-process.ts lets a process end once its tests have, without node:test's forceExit
// (which loses the last test events of a process).
const options = {
  concurrency,
  execArgv: ['--liftoff-only', '--import', pathToFileURL(resolve('scripts/test-process.ts')).href],
};
const stream = run({ files: entries, ...options });
let success = false;
// The last summary (no file) is the whole run's.
stream.on('test:summary', (summary) => {
  if (summary.file === undefined) success = summary.success;
});
// A lone file reports as its process (nesting 0), a bundled file as its suite (nesting 1, inside
// its bundle's suite); both are named after the file's path. A bundle that ended before one of its
// files would pass without that file's tests, so a file that never reported fails the run.
const reported = new Set<string>();
stream.on('test:complete', (event) => {
  if (event.nesting <= 1 && planned.has(event.name)) reported.add(event.name);
});
const recorded = record ? collect(stream.compose(durationsReporter(files))) : undefined;
stream.compose(spec).pipe(process.stdout);
await new Promise<void>((resolve) => stream.once('end', () => resolve()));
rmSync(bundleDir, { recursive: true, force: true });
if (scratch) rmSync(scratch, { recursive: true, force: true });
const lost = files.filter((f) => !reported.has(f));
if (lost.length > 0) {
  console.error(`\nThese test files never reported (their process ended before them):\n  ${lost.join('\n  ')}`);
  success = false;
}
if (recorded) {
  const merged = { ...known, ...(JSON.parse(await recorded) as Record<string, number>) };
  const kept = Object.entries(merged)
    .filter(([f]) => existsSync(f))
    .sort(([a], [b]) => a.localeCompare(b));
  writeFileSync(DURATIONS, `${JSON.stringify(Object.fromEntries(kept), null, 2)}\n`);
}
process.exitCode = success ? 0 : 1;

/**
 * Test processes write a lot of scratch files: every embedded-database store starts as a 40 MB
 * copy of the migrated template, and Chromium keeps a profile. On a disk that is most of their
 * system time (a template copy: 300 ms on ext4, 80 ms on tmpfs), so where the machine has a
 * memory file system with room to spare, the run's temporary folder is a folder of its own there
 * (TMPDIR, inherited by every process the run starts), removed at the end with whatever a test
 * left behind. TMPDIR set by the caller wins.
 */
function useMemoryScratch(): string | undefined {
  const shm = '/dev/shm';
  if (process.env.TMPDIR || !existsSync(shm)) return undefined;
  try {
    const { bavail, bsize } = statfsSync(shm);
    if (bavail * bsize < 4 * 1024 ** 3) return undefined;
    const dir = mkdtempSync(join(shm, 'gatehouse-test-'));
    process.env.TMPDIR = dir;
    // The folder is memory until removed: an interrupted run removes it too.
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(130);
      });
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * An entry file with one suite, the bundle, holding a suite per file named after its path. The
 * file suites import their files one after another: imports started together can wait on each
 * other forever (two graphs sharing a module with top-level await). The wait for the previous
 * file is a promise made inside the file's suite, so the file's tests register under it (node:test
 * finds a test's parent through the async context it was created in). The one suite at the top
 * means the process's last top-level test ends with its last file, not between two files (when
 * scripts/test-process.ts lets the process end). A process that still exits before a file's suite
 * is done says which files and from where, and fails.
 */
function writeBundle(n: number, bundled: string[]): string {
  const imports = bundled.map((f) => [f, pathToFileURL(resolve(f)).href]);
  const name = `bundle ${n + 1}`;
  const source = `import { after, describe } from 'node:test';
const imports = ${JSON.stringify(imports)};
const finished = new Set();
process.on('exit', (code) => {
  const left = imports.map(([file]) => file).filter((file) => !finished.has(file));
  if (left.length > 0) {
    process.stderr.write(\`${name} ended (code \${code}) before \${left.join(', ')}\\n\${new Error('exit').stack}\\n\`);
    process.exitCode = 1;
  }
});
describe(${JSON.stringify(name)}, () => {
  let turn = Promise.resolve();
  for (const [file, url] of imports) {
    const previous = turn;
    let done;
    turn = new Promise((resolve) => (done = resolve));
    describe(file, async () => {
      after(() => finished.add(file));
      await new Promise((resolve) => previous.then(resolve));
      try {
        await import(url);
      } finally {
        done();
      }
    });
  }
});
`;
  const file = join(bundleDir, `bundle-${n + 1}.test.mjs`);
  writeFileSync(file, source);
  return file;
}

async function collect(chunks: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += String(chunk);
  return text;
}
