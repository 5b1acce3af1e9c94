// Runs every *.test.ts under src/, protocols/, emulator/ and test/ with Node's test runner.
// Usage: npm test [-- path-filter ...]; a filter keeps the files whose path contains it.
// --test-force-exit: a file ends when its tests do, even if the embedded database's WebAssembly
// runtime left an internal timer armed after closing (it would hold the file open for seconds).
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = ['src', 'protocols', 'emulator', 'test']
  .flatMap((dir) => globSync(`${dir}/**/*.test.ts`))
  .filter((f) => !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--test', '--test-force-exit', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
