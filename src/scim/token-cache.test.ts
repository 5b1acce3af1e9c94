// The SCIM token cache never lets a token outlive its revocation by more than it promises:
//   - a property test over generated sequences (requests, clock steps, revocations on this or
//     another instance, rotations with an overlap, lookups racing a revocation) against a model of
//     the token table, with a frozen clock;
//   - on real stores: the instance that revokes or rotates refuses the old token on its very next
//     request, and (PostgreSQL, two stores on one database) another instance within a second.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/schema.ts';
import { openStore, type Store } from '../store/store.ts';
import { asSystem } from '../store/tenant.ts';
import { requirePostgres } from '../../test/support/requirements.ts';
import { createTestDatabase, testEngines } from '../../test/support/stores.ts';
import { createScimDirectory, revokeScimTokens, rotateScimToken } from './directories.ts';
import { createScimRoutes } from './router.ts';
import { cachedTokenLookup, forgetScimTokens, SCIM_TOKEN_CACHE_TTL_MS } from './token-cache.ts';

const runs = Number(process.env.PROPERTY_RUNS ?? 100);
const seed = Number(process.env.PROPERTY_SEED ?? 20261201);
const DIRECTORY = { organizationId: 'org_1', directoryId: 'directory_1' };

type Op =
  | { kind: 'request' }
  | { kind: 'tick'; ms: number }
  | { kind: 'revoke'; here: boolean }
  | { kind: 'rotate'; overlapMs: number; here: boolean }
  | { kind: 'racingRevoke' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'request' }),
  fc.integer({ min: 1, max: 1500 }).map<Op>((ms) => ({ kind: 'tick', ms })),
  fc.boolean().map<Op>((here) => ({ kind: 'revoke', here })),
  fc
    .record({ overlapMs: fc.integer({ min: 0, max: 3000 }), here: fc.boolean() })
    .map<Op>((r) => ({ kind: 'rotate', ...r })),
  fc.constant<Op>({ kind: 'racingRevoke' }),
);

describe('SCIM token cache (model)', () => {
  it('answers only on a read within the TTL, never past its expiry or a change made here', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const db = {} as Kysely<Database>; // a cache of its own per run (the key is the handle)
        let now = 0;
        // The token table: whether the token opens the directory, and until when (rotation).
        let valid = true;
        let expiresAt: number | null = null;
        // The last read of this instance that found the token good, since its last own change:
        // all an answer may rest on.
        let goodRead: { at: number; expiresAt: number | null } | undefined;
        const storeSays = () => valid && (expiresAt === null || expiresAt > now);
        let beforeRead: (() => void) | undefined;
        const lookup = async () => {
          const race = beforeRead;
          beforeRead = undefined;
          race?.();
          if (!storeSays()) return null;
          goodRead = { at: now, expiresAt };
          return { directory: DIRECTORY, remainingMs: expiresAt === null ? null : expiresAt - now };
        };
        const change = (here: boolean) => {
          if (!here) return; // another instance: nothing tells this one
          forgetScimTokens(db);
          goodRead = undefined;
        };
        for (const o of ops) {
          if (o.kind === 'tick') now += o.ms;
          else if (o.kind === 'revoke') {
            change(o.here);
            valid = false;
          } else if (o.kind === 'rotate') {
            const until = now + o.overlapMs;
            change(o.here);
            expiresAt = expiresAt === null ? until : Math.min(expiresAt, until);
          } else if (o.kind === 'racingRevoke') {
            // This instance revokes while a request's read is under way: the read saw the token
            // valid, the revocation commits and forgets before the read's answer is cached.
            beforeRead = () => {
              queueMicrotask(() => {
                valid = false;
                change(true);
              });
            };
            await cachedTokenLookup(db, 'h', lookup, () => now);
            await Promise.resolve();
            if (beforeRead) {
              // Answered from the cache, no read to race: a plain revocation on this instance.
              beforeRead = undefined;
              valid = false;
              change(true);
            }
            assert.equal(await cachedTokenLookup(db, 'h', lookup, () => now), null, 'refused right after');
          } else {
            const answer = await cachedTokenLookup(db, 'h', lookup, () => now);
            if (answer) {
              // An answer rests on a good read of this instance less than the TTL ago, and never
              // past the expiry that read saw; a change made here is never outlived.
              assert.ok(goodRead, 'answered with no good read since the last change here');
              assert.ok(now - goodRead.at < SCIM_TOKEN_CACHE_TTL_MS, `answered ${now - goodRead.at} ms after the read`);
              assert.ok(goodRead.expiresAt === null || now < goodRead.expiresAt, 'answered past the expiry');
            }
            if (!answer) assert.equal(storeSays(), false, 'refused a valid token');
          }
        }
      }),
      { seed, numRuns: runs },
    );
  });

  it('shares one read between clients that miss at once', async () => {
    const db = {} as Kysely<Database>;
    let reads = 0;
    const lookup = async () => {
      reads += 1;
      await new Promise((r) => setImmediate(r));
      return { directory: DIRECTORY, remainingMs: null };
    };
    const answers = await Promise.all(Array.from({ length: 10 }, () => cachedTokenLookup(db, 'h', lookup, () => 0)));
    assert.equal(reads, 1);
    assert.deepEqual(answers, Array(10).fill(DIRECTORY));
  });
});

async function directoryOn(store: Store): Promise<{ organizationId: string; directoryId: string; token: string }> {
  const organizationId = newId('org');
  await asSystem(store.db, 'test fixture', (tx) =>
    tx.insertInto('organizations').values({ id: organizationId, name: 'Acme' }).execute(),
  );
  const { directory, token } = await createScimDirectory(
    { db: store.db, access: { revoke: async () => undefined } },
    { organizationId, name: 'Okta', actor: { type: 'system', id: null } },
  );
  return { organizationId, directoryId: directory.id, token };
}

function instance(store: Store) {
  const app = createScimRoutes(
    { db: store.db, access: { revoke: async () => undefined } },
    { publicUrl: 'http://gatehouse.test', ratePerMinute: 1_000_000, maxBodyBytes: 4096 },
  );
  return async (token: string) =>
    (await app.request('/Users', { headers: { authorization: `Bearer ${token}` } })).status;
}

const admin = { type: 'system' as const, id: null };

for (const engine of testEngines()) {
  describe(`SCIM token cache on this instance (${engine.name})`, () => {
    let store: Store;
    before(async () => {
      store = await engine.open();
    });
    after(() => store?.close());

    it('refuses a revoked token, and a token rotated out with no overlap, on the very next request', async () => {
      const d = await directoryOn(store);
      const get = instance(store);
      assert.equal(await get(d.token), 200);
      assert.equal(await get(d.token), 200, 'answered from the cache');
      const rotated = await rotateScimToken(store.db, { ...d, overlapSeconds: 0, actor: admin });
      assert.equal(await get(d.token), 401, 'the rotated-out token stops at once');
      assert.equal(await get(rotated.token), 200);
      await revokeScimTokens(store.db, { ...d, actor: admin });
      assert.equal(await get(rotated.token), 401, 'the revoked token stops at once');
    });
  });
}

const twoInstances = { skip: requirePostgres('two instances share one database only on PostgreSQL') };

describe('SCIM token cache across instances (postgres)', twoInstances, () => {
  let a: Store;
  let b: Store;
  let drop: () => Promise<void>;
  before(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    a = await openStore({ engine: 'postgres', url: database.url, poolSize: 4 });
    b = await openStore({ engine: 'postgres', url: database.url, poolSize: 4 });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('another instance refuses a revoked token within a second', async () => {
    const d = await directoryOn(a);
    const onB = instance(b);
    assert.equal(await onB(d.token), 200, 'instance B verified (and cached) the token');
    await revokeScimTokens(a.db, { ...d, actor: admin });
    const revokedAt = performance.now();
    // B cached the token before the revocation, so its entry lapses by revokedAt + TTL: a request
    // that starts after that and is still served is the breach. Judged by when each request
    // started, not by how long a loaded machine takes to answer it; polled, never slept on.
    const lapsed = revokedAt + SCIM_TOKEN_CACHE_TTL_MS;
    const servedLate: number[] = [];
    const deadline = revokedAt + 30_000;
    let status = 200;
    while (performance.now() < deadline) {
      const started = performance.now();
      status = await onB(d.token);
      if (status !== 200) break;
      if (started >= lapsed) servedLate.push(Math.round(started - revokedAt));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 401);
    assert.deepEqual(servedLate, [], 'requests started this many ms after the revocation were still served');
  });
});
