// Runs every *.test.ts under src/, protocols/, emulator/ and test/ with Node's test runner.
// Usage: npm test [-- path-filter ...] [-- --record-durations]; a filter keeps the files whose path
// contains it.
// Files start longest first, by the durations recorded in test/durations.json: a long file started
// last would run alone on one core after the others finished. A file with no record yet counts as
// long. `node --test` sorts the files it is given, so the runner calls run() with its own order.
// --record-durations merges this run's durations into that file.
// forceExit: a file ends when its tests do, even if the embedded database's WebAssembly runtime
// left an internal timer armed after closing (it would hold the file open for seconds).
import { existsSync, globSync, readFileSync, writeFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import durationsReporter from './test-durations-reporter.ts';

const DURATIONS = 'test/durations.json';
const record = process.argv.includes('--record-durations');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const known = (existsSync(DURATIONS) ? JSON.parse(readFileSync(DURATIONS, 'utf8')) : {}) as Record<string, number>;
const unknown = Number.MAX_SAFE_INTEGER;
const files = ['src', 'protocols', 'emulator', 'test']
  .flatMap((dir) => globSync(`${dir}/**/*.test.ts`))
  .filter((f) => !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .sort((a, b) => (known[b] ?? unknown) - (known[a] ?? unknown));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = Number(process.env.TEST_CONCURRENCY ?? '2');
// Every test process compiles the same modules: V8's code cache on disk (inherited through the
// environment, as `gatehouse` itself does) saves part of each file's start.
const cache = enableCompileCache();
if (cache.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;
// --liftoff-only: V8 compiles PGlite's PostgreSQL (9 MB of WebAssembly) with its baseline compiler
// only. Tiering its hot functions up to the optimizing compiler costs more CPU than a test file
// ever wins back, and about 500 MB of memory per process (measured: a store suite's CPU halves).
// Test support passes the flag on to the `gatehouse` processes it starts (test/support/cli.ts).
const stream = run({ files, concurrency, forceExit: true, execArgv: ['--liftoff-only'] });
let success = false;
// The last summary (no file) is the whole run's.
stream.on('test:summary', (summary) => {
  if (summary.file === undefined) success = summary.success;
});
const recorded = record ? collect(stream.compose(durationsReporter)) : undefined;
stream.compose(spec).pipe(process.stdout);
await new Promise<void>((resolve) => stream.once('end', () => resolve()));
if (recorded) {
  const merged = { ...known, ...(JSON.parse(await recorded) as Record<string, number>) };
  const kept = Object.entries(merged)
    .filter(([f]) => existsSync(f))
    .sort(([a], [b]) => a.localeCompare(b));
  writeFileSync(DURATIONS, `${JSON.stringify(Object.fromEntries(kept), null, 2)}\n`);
}
process.exitCode = success ? 0 : 1;

async function collect(chunks: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += String(chunk);
  return text;
}
