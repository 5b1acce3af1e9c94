// A test reporter that writes how long each test file ran (its subprocess, from start to end) as
// JSON { "path": seconds } to its destination. scripts/run-tests.ts merges it into
// test/durations.json (with --record-durations) and starts the longest files first.
import { relative } from 'node:path';

interface TestEvent {
  type: string;
  data: { nesting: number; name: string; file?: string; details?: { duration_ms?: number } };
}

export default async function* durationsReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const seconds: Record<string, number> = {};
  for await (const event of source) {
    const { data } = event;
    // A file's own entry: nesting 0 and named after the file's path.
    if (event.type !== 'test:complete' || data.nesting !== 0 || !data.file) continue;
    const path = relative(process.cwd(), data.file);
    if (data.name !== path || data.details?.duration_ms === undefined) continue;
    seconds[path] = Math.round(data.details.duration_ms / 100) / 10;
  }
  yield `${JSON.stringify(seconds, null, 1)}\n`;
}
