// The one-time reveal store: whatever sequence of creates and reads by whichever callers, a secret
// is handed out at most once, only to the credential and organization that created it, and never
// after its time is up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AuthContext } from '../../core/auth-context.ts';
import { createRevealStore } from './reveal.ts';

const who = (n: number): AuthContext => ({
  principal: { type: 'user', userId: `user_${n}` },
  organizationId: 'org_a',
  role: 'admin',
  permissions: [],
  authMethod: 'session',
  sessionId: `ses_${n}`,
  isSuperAdmin: false,
});

test('a secret is revealed at most once, to its creator, within its time', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), by: fc.nat(2), org: fc.constantFrom('org_a', 'org_b') }),
    fc.record({
      kind: fc.constant('take' as const),
      by: fc.nat(2),
      org: fc.constantFrom('org_a', 'org_b'),
      pick: fc.nat(20),
    }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      let now = 0;
      const store = createRevealStore({ ttlMs: 60_000, max: 50, clock: () => now });
      const issued: Array<{ token: string; by: number; org: string; secret: string; at: number }> = [];
      const revealed = new Set<string>();
      ops.forEach((o, i) => {
        if (o.kind === 'wait') now += o.ms;
        else if (o.kind === 'put') {
          const secret = `gth_${i}`;
          issued.push({
            token: store.put({ notice: '', label: 'k', secret }, who(o.by), o.org),
            by: o.by,
            org: o.org,
            secret,
            at: now,
          });
        } else if (issued.length) {
          const target = issued[o.pick % issued.length]!;
          const got = store.take(target.token, who(o.by), o.org);
          if (got) {
            assert.equal(got.secret, target.secret);
            assert.ok(!revealed.has(target.secret), 'never twice');
            assert.deepEqual([o.by, o.org], [target.by, target.org], 'only to its creator');
            assert.ok(now < target.at + 60_000, 'never after its time');
            revealed.add(target.secret);
          }
        }
      });
    }),
    { seed: Number(process.env.PROPERTY_SEED ?? 18), numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
  );
});
