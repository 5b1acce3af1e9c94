// The test run's process plan: every file runs exactly once; files that must or should run alone
// do; bundles stay balanced and fill every process slot; processes start longest first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planTestRun } from './test-plan.ts';

const BUNDLE_SECONDS = 20;

const runInput = fc
  .uniqueArray(fc.stringMatching(/^[a-z]{1,8}\.test\.ts$/), { minLength: 1, maxLength: 60 })
  .chain((files) =>
    fc.record({
      files: fc.constant(files),
      // Some files without a record (new files), most short, a few long.
      seconds: fc
        .array(
          fc.option(fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 90, noNaN: true })), {
            nil: undefined,
          }),
          {
            minLength: files.length,
            maxLength: files.length,
          },
        )
        .map((values) =>
          Object.fromEntries(files.flatMap((f, i) => (values[i] === undefined ? [] : [[f, values[i]!] as const]))),
        ),
      ownProcess: fc.subarray(files),
      concurrency: fc.integer({ min: 1, max: 4 }),
    }),
  );

describe('the test run plan', () => {
  it('runs each file once, alone when it must, in bundles balanced within one file', () => {
    fc.assert(
      fc.property(runInput, ({ files, seconds, ownProcess, concurrency }) => {
        const own = new Set(ownProcess);
        const plan = planTestRun({
          files,
          seconds,
          wantsOwnProcess: (f) => own.has(f),
          concurrency,
          bundleSeconds: BUNDLE_SECONDS,
        });
        const planned = plan.flatMap((e) => e.files);
        assert.deepEqual([...planned].sort(), [...files].sort(), 'every file exactly once');
        const mustBeAlone = (f: string) => seconds[f] === undefined || seconds[f]! >= BUNDLE_SECONDS || own.has(f);
        for (const entry of plan) {
          if (entry.files.length > 1) assert.ok(!entry.files.some(mustBeAlone), `alone in a bundle: ${entry.files}`);
        }
        for (let i = 1; i < plan.length; i++) assert.ok(plan[i - 1]!.seconds >= plan[i]!.seconds, 'longest first');
        const shared = files.filter((f) => !mustBeAlone(f));
        const bundles = plan.filter((e) => e.files.every((f) => !mustBeAlone(f)));
        if (shared.length > 0) {
          assert.equal(
            bundles.length >= Math.min(shared.length, concurrency),
            true,
            'every process slot gets a bundle',
          );
          const loads = bundles.map((b) => b.seconds);
          const longest = Math.max(...shared.map((f) => seconds[f]!));
          assert.ok(Math.max(...loads) - Math.min(...loads) <= longest + 1e-9, `unbalanced: ${loads}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a plan of short files alone is one bundle per process slot; new and long files run alone', () => {
    const plan = planTestRun({
      files: ['a.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts', 'new.test.ts', 'walk.test.ts'],
      seconds: { 'a.test.ts': 1, 'b.test.ts': 2, 'c.test.ts': 3, 'd.test.ts': 4, 'walk.test.ts': 60 },
      wantsOwnProcess: () => false,
      concurrency: 2,
      bundleSeconds: BUNDLE_SECONDS,
    });
    assert.deepEqual(
      plan.map((e) => e.files),
      [['new.test.ts'], ['walk.test.ts'], ['c.test.ts', 'b.test.ts'], ['d.test.ts', 'a.test.ts']],
    );
  });
});
