// A test reporter that writes how long each test file ran as JSON { "path": seconds }: a file run
// alone, its process from start to end; a file in a bundle (scripts/run-tests.ts), the suite that
// imports and runs it. scripts/run-tests.ts merges the result into test/durations.json (with
// --record-durations) and plans the next run's processes from it.
interface TestEvent {
  type: string;
  data: { nesting: number; name: string; file?: string; details?: { duration_ms?: number } };
}

/** A reporter for `files` (repository-relative paths). */
export function durationsReporter(files: string[]) {
  const wanted = new Set(files);
  return async function* report(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
    const seconds: Record<string, number> = {};
    for await (const event of source) {
      const { data } = event;
      if (event.type !== 'test:complete' || data.details?.duration_ms === undefined) continue;
      // A lone file's own entry (nesting 0) and a bundled file's suite (nesting 1, inside its
      // bundle's suite): both named after the path.
      if (data.nesting > 1 || !wanted.has(data.name)) continue;
      seconds[data.name] = Math.round(data.details.duration_ms / 100) / 10;
    }
    yield `${JSON.stringify(seconds, null, 1)}\n`;
  };
}
