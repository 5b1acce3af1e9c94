import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import { createEmulatorApp } from './app.ts';
import { createFaultHooks } from './faults.ts';

// Idempotency-Key over random sequences of creates: a key runs its request once, a repeat with the
// same body gets the first answer, another body is refused, a request without a key always runs.
// Checked against a model after every step.

const runs = Number(process.env.PROPERTY_RUNS ?? 60);
const seed = Number(process.env.PROPERTY_SEED ?? 20261130);
const keys = await openSigningKeys();

const step = fc.record({
  key: fc.constantFrom('k1', 'k2', 'k3', null),
  name: fc.constantFrom('Acme', 'Globex'),
  fault: fc.boolean(),
});

test('a key runs once; replays answer the first result; another body is refused (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const world = createWorld();
      const faults = createFaultHooks();
      const app = createEmulatorApp(
        { world, keys, config: { apiKey: 'sk_test_k', clientId: 'client_c', baseUrl: 'http://emu' } },
        { faults },
      );
      const model = new Map<string, { name: string; id: string }>();
      let created = 0;
      for (const s of steps) {
        // A 503 injected before the route runs is not kept: the same key then really runs.
        if (s.fault) faults.add({ method: 'POST', path: '/organizations', status: 503, count: 1 });
        const headers: Record<string, string> = {
          authorization: 'Bearer sk_test_k',
          'content-type': 'application/json',
        };
        if (s.key) headers['idempotency-key'] = s.key;
        const res = await app.request('/organizations', {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: s.name }),
        });
        const body = (await res.json()) as { id?: string };
        if (s.fault) {
          assert.equal(res.status, 503);
        } else if (!s.key || !model.has(s.key)) {
          assert.equal(res.status, 201);
          created++;
          if (s.key) model.set(s.key, { name: s.name, id: body.id! });
        } else if (model.get(s.key)!.name === s.name) {
          assert.equal(res.status, 201);
          assert.equal(body.id, model.get(s.key)!.id, 'a replay answers the first result');
        } else {
          assert.equal(res.status, 422);
        }
        assert.equal(world.organizations.size, created, 'organizations exist exactly once per run request');
      }
    }),
    { numRuns: runs, seed },
  );
});
