// Keeps emulator/README.md honest: the operations it lists as served are exactly the spec
// operations the Hono app routes, and the not-served list is the rest of the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import { createEmulatorApp } from './app.ts';
import { createFaultHooks } from './faults.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}').replace(/:[A-Za-z_]+/g, '{}');

function readmeList(readme: string, name: string): string[] {
  const block = readme.split(`<!-- ${name}:start -->`)[1]?.split(`<!-- ${name}:end -->`)[0] ?? '';
  return [...block.matchAll(/^- `([A-Z]+ [^`]+)`$/gm)].map((m) => m[1]!).sort();
}

test('README lists exactly the spec operations the app serves, and the rest as not served', async () => {
  const app = createEmulatorApp(
    {
      world: createWorld(),
      keys: await openSigningKeys(),
      config: { apiKey: 'k', clientId: 'c', baseUrl: 'http://x' },
    },
    { faults: createFaultHooks() },
  );
  const routed = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${shape(r.path)}`));
  const specPath = createRequire(import.meta.url).resolve('@workos/openapi-spec/spec');
  const spec = parse(readFileSync(specPath, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const served: string[] = [];
  const notServed: string[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const method of Object.keys(ops).filter((m) => METHODS.includes(m))) {
      const op = `${method.toUpperCase()} ${path}`;
      (routed.has(`${method.toUpperCase()} ${shape(path)}`) ? served : notServed).push(op);
    }
  }
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.deepEqual(readmeList(readme, 'served-operations'), served.sort());
  assert.deepEqual(readmeList(readme, 'not-served-operations'), notServed.sort());
  const total = served.length + notServed.length;
  console.log(`conformance: served ${served.length}/${total} spec operations`);
  assert.ok(served.length >= 160, `only ${served.length} operations served`);
});
