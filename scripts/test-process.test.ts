// The test-process preload (scripts/test-process.ts) takes over node:test's async bookkeeping.
// A file run under it must still get what node:test gives without it: tests declared after an
// await land in their suite, an uncaught error or rejection fails the test it came from, an error
// after a test ended is reported against that test, and every test keeps its declared place.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';

const execFileAsync = promisify(execFile);

const FIXTURE = `import { describe, it, test } from 'node:test';
describe('outer', async () => {
  await new Promise((r) => setTimeout(r, 5));
  await import('node:path');
  it('declared after awaits', () => {});
  describe('inner', () => {
    it('nested', async () => { await new Promise((r) => setTimeout(r, 5)); });
  });
});
test('a timer throws inside the test', async () => {
  setTimeout(() => { throw new Error('boom in timer'); }, 1);
  await new Promise((r) => setTimeout(r, 100));
});
test('a rejection nobody handles', async () => {
  Promise.reject(new Error('unhandled in test'));
  await new Promise((r) => setTimeout(r, 100));
});
test('throws after it ended', () => {
  setTimeout(() => { throw new Error('late boom'); }, 20);
});
test('outlives the late error', async () => { await new Promise((r) => setTimeout(r, 200)); });
`;

describe('the test-process preload keeps node:test attributing tests and errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-preload-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'fixture.test.mjs');
  writeFileSync(file, FIXTURE);

  // node:test will not run() from inside a test process, so a child process of its own does, and
  // prints the events it saw.
  const collect = async () => {
    const driver = `import { run } from 'node:test';
const events = [];
for await (const event of run({ files: [${JSON.stringify(file)}], execArgv: ['--import', ${JSON.stringify(pathToFileURL(resolve('scripts/test-process.ts')).href)}] }))
  events.push({ type: event.type, data: { name: event.data?.name, nesting: event.data?.nesting, file: event.data?.file, line: event.data?.line, message: event.data?.message, error: String(event.data?.details?.error?.cause ?? event.data?.details?.error ?? '') } });
process.stdout.write(JSON.stringify(events));`;
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    // A file, not `node -e`: run() passes its own process's flags on to the files it runs.
    writeFileSync(join(dir, 'driver.mjs'), driver);
    const { stdout } = await execFileAsync(process.execPath, [join(dir, 'driver.mjs')], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as Array<{ type: string; data: Record<string, any> }>;
  };

  it('nests, fails and locates as node:test does', { timeout: 60_000 }, async () => {
    const events = await collect();
    const outcome = (name: string) =>
      events.find((e) => (e.type === 'test:pass' || e.type === 'test:fail') && e.data.name === name);
    for (const [name, nesting] of [
      ['declared after awaits', 1],
      ['nested', 2],
      ['outer', 0],
    ] as const) {
      const event = outcome(name);
      assert.equal(event?.type, 'test:pass', `${name}: ${event?.data.error}`);
      assert.equal(event.data.nesting, nesting, `${name} is nested in its suite`);
    }
    for (const [name, message] of [
      ['a timer throws inside the test', /boom in timer/],
      ['a rejection nobody handles', /unhandled in test/],
    ] as const) {
      const event = outcome(name);
      assert.equal(event?.type, 'test:fail', `${name} fails`);
      assert.match(String(event.data.error), message);
    }
    const declared = outcome('a timer throws inside the test');
    assert.equal(declared?.data.file, file, 'the test keeps the file it was declared in');
    assert.equal(declared?.data.line, 10);
    const diagnostics = events.filter((e) => e.type === 'test:diagnostic').map((e) => String(e.data.message));
    assert.ok(
      diagnostics.some((m: string) => m.includes('Test "throws after it ended"') && m.includes('late boom')),
      `the late error names its test: ${diagnostics.join(' | ')}`,
    );
  });
});
