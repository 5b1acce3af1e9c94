// The one-time code rules, checked after every step of generated operation sequences against a
// model: a code opens its own email only, at most once, within 10 minutes, while the newest one,
// and never after 5 wrong tries; issuing is limited per email and per source. Fixed seed;
// PROPERTY_RUNS / PROPERTY_SEED for longer runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { asSystem } from '../../store/tenant.ts';
import { openPgliteTestStore } from '../../../test/support/stores.ts';
import { TEST_SECRET } from '../../../test/support/access-fixtures.ts';
import {
  CODE_TTL_MS,
  createEmailCodes,
  MAX_CODES_PER_EMAIL,
  MAX_CODES_PER_SOURCE,
  MAX_WRONG_TRIES,
  REQUEST_WINDOW_MS,
  type RedeemResult,
} from './email-codes.ts';

type Op =
  | { t: 'issue'; e: number; src: number }
  | { t: 'redeem'; e: number; guess: 'right' | 'wrong' | 'other' }
  | { t: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant('issue' as const),
    e: fc.integer({ min: 0, max: 1 }),
    src: fc.integer({ min: 0, max: 1 }),
  }),
  fc.record({
    t: fc.constant('redeem' as const),
    e: fc.integer({ min: 0, max: 1 }),
    guess: fc.constantFrom('right' as const, 'wrong' as const, 'other' as const),
  }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12 * 60_000 }) }),
);

describe('email sign-in codes (model-based)', () => {
  let store: Store;
  before(async () => {
    store = await openPgliteTestStore();
  });
  after(() => store?.close());

  it('redeems exactly as the model says after every step', async () => {
    let run = 0;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        run++;
        let now = Date.parse('2026-01-01T00:00:00Z');
        const codes = createEmailCodes({ db: store.db, secret: TEST_SECRET, clock: () => now });
        const emails = [`a${run}@p.test`, `b${run}@p.test`];
        const sources = [`198.51.${run % 250}.1`, `198.51.${run % 250}.2`];
        await asSystem(store.db, 'test', (tx) =>
          tx.deleteFrom('email_sign_in_codes').where('source_address', 'in', sources).execute(),
        );
        const live: Array<{ code: string; expiresAt: number; wrong: number } | null> = [null, null];
        const issuedAt: number[][] = [[], []];
        const fromSource: number[][] = [[], []];
        const lastCode: string[] = ['000000', '000000'];
        for (const o of ops) {
          steps++;
          if (o.t === 'advance') {
            now += o.ms;
            continue;
          }
          if (o.t === 'issue') {
            const recent = (list: number[]) => list.filter((t) => t > now - REQUEST_WINDOW_MS).length;
            const limited =
              recent(issuedAt[o.e]!) >= MAX_CODES_PER_EMAIL || recent(fromSource[o.src]!) >= MAX_CODES_PER_SOURCE;
            try {
              const code = await codes.issue(emails[o.e]!, sources[o.src]!);
              assert.equal(limited, false, 'issued past the limit');
              assert.match(code, /^[0-9]{6}$/);
              live[o.e] = { code, expiresAt: now + CODE_TTL_MS, wrong: 0 };
              lastCode[o.e] = code;
              issuedAt[o.e]!.push(now);
              fromSource[o.src]!.push(now);
            } catch (error) {
              assert.ok(error instanceof AppError && error.code === 'AUTH_CODE_RATE_LIMITED', String(error));
              assert.equal(limited, true, 'limited below the limit');
            }
            continue;
          }
          const current = live[o.e];
          const presented =
            o.guess === 'right'
              ? (current?.code ?? lastCode[o.e]!)
              : o.guess === 'other'
                ? lastCode[1 - o.e]!
                : String((Number(current?.code ?? lastCode[o.e]) + 1) % 1_000_000).padStart(6, '0');
          let expected: RedeemResult;
          if (!current) expected = 'invalid';
          else if (now >= current.expiresAt) expected = 'expired';
          else if (presented === current.code) {
            expected = 'ok';
            live[o.e] = null;
          } else {
            expected = 'invalid';
            current.wrong++;
            if (current.wrong >= MAX_WRONG_TRIES) live[o.e] = null;
          }
          assert.equal(await codes.redeem(emails[o.e]!, presented), expected);
        }
        // Nothing in the store is a code in clear.
        const rows = await asSystem(store.db, 'test', (tx) =>
          tx.selectFrom('email_sign_in_codes').selectAll().where('email', 'in', emails).execute(),
        );
        for (const code of lastCode.filter((c) => c !== '000000'))
          assert.ok(!JSON.stringify(rows).includes(`"${code}"`));
      }),
      {
        numRuns: Number(process.env.PROPERTY_RUNS ?? 40),
        seed: Number(process.env.PROPERTY_SEED ?? 20261130),
        endOnFailure: true,
      },
    );
    console.log(`email codes: ${run} sequences, ${steps} steps checked against the model`);
  });
});
