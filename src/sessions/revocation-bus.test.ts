// The revocation bus on both engines: delivered on commit, never on rollback, malformed payloads
// dropped, and a lost connection comes back and flushes subscribers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { RevocationEvent } from '../core/auth-context.ts';
import type { Store } from '../store/store.ts';
import { asSystem } from '../store/tenant.ts';
import { testEngines } from '../../test/support/stores.ts';
import { openRevocationBus, publishRevocation, REVOCATION_CHANNEL, type RevocationBus } from './revocation-bus.ts';

function collector() {
  const events: RevocationEvent[] = [];
  let resets = 0;
  const waiters: (() => void)[] = [];
  return {
    events,
    get resets() {
      return resets;
    },
    subscriber: {
      onEvent: (e: RevocationEvent) => {
        events.push(e);
        waiters.splice(0).forEach((w) => w());
      },
      onReset: () => void resets++,
    },
    next: (ms = 2000) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
        waiters.push(() => (clearTimeout(t), resolve()));
      }),
  };
}

for (const engine of testEngines()) {
  describe(`revocation bus on ${engine.name}`, () => {
    let store: Store;
    let bus: RevocationBus;
    before(async () => {
      store = await engine.open();
      bus = openRevocationBus({ store });
      await bus.ready;
    });
    after(async () => {
      await bus?.close();
      await store?.close();
    });

    it('delivers an event published in a committed transaction, not one rolled back', async () => {
      const c = collector();
      const unsubscribe = bus.subscribe(c.subscriber);
      await assert.rejects(
        asSystem(store.db, 'test', async (tx) => {
          await publishRevocation(tx, { kind: 'api_key', apiKeyId: 'key_rolled_back' });
          throw new Error('roll back');
        }),
      );
      const arrived = c.next();
      await asSystem(store.db, 'test', (tx) => publishRevocation(tx, { kind: 'session', sessionId: 'ses_1' }));
      await arrived;
      assert.deepEqual(c.events, [{ kind: 'session', sessionId: 'ses_1' }]);
      unsubscribe();
    });

    it('hands what this instance publishes to onPublished at once, before commit, and to onEvent after it', async () => {
      const published: RevocationEvent[] = [];
      const c = collector();
      const unsubscribe = bus.subscribe({ ...c.subscriber, onPublished: (e) => void published.push(e) });
      const arrived = c.next();
      await asSystem(store.db, 'test', async (tx) => {
        await publishRevocation(tx, { kind: 'role', organizationId: 'org_1', role: 'viewer' });
        assert.deepEqual(
          published,
          [{ kind: 'role', organizationId: 'org_1', role: 'viewer' }],
          'delivered inside the transaction',
        );
        assert.deepEqual(c.events, [], 'not yet committed');
      });
      await arrived;
      assert.deepEqual(c.events, [{ kind: 'role', organizationId: 'org_1', role: 'viewer' }]);
      unsubscribe();
    });

    it('drops a malformed payload and keeps listening', async () => {
      const c = collector();
      bus.subscribe(c.subscriber);
      await sql`SELECT pg_notify(${REVOCATION_CHANNEL}, ${'{"kind":"everything"}'})`.execute(store.db);
      const arrived = c.next();
      await sql`SELECT pg_notify(${REVOCATION_CHANNEL}, ${JSON.stringify({ kind: 'user', userId: 'user_1' })})`.execute(
        store.db,
      );
      await arrived;
      assert.deepEqual(c.events, [{ kind: 'user', userId: 'user_1' }]);
    });

    it('comes back after its connection is killed, flushing subscribers, and delivers again', {
      skip: engine.name !== 'postgres' && 'PGlite has no separate listen connection to kill',
    }, async () => {
      const c = collector();
      bus.subscribe(c.subscriber);
      await store.owner.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`,
      );
      const started = performance.now();
      while (c.resets === 0 && performance.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      console.log(
        `revocation bus: listening again ${(performance.now() - started).toFixed(0)} ms after its connection was killed`,
      );
      assert.equal(c.resets, 1);
      assert.equal(bus.connected, true);
      const arrived = c.next();
      await asSystem(store.db, 'test', (tx) =>
        publishRevocation(tx, { kind: 'membership', organizationId: 'org_1', userId: 'user_2' }),
      );
      await arrived;
      assert.deepEqual(c.events.at(-1), { kind: 'membership', organizationId: 'org_1', userId: 'user_2' });
    });

    it('refuses to publish an event listeners would drop', async () => {
      await assert.rejects(
        asSystem(store.db, 'test', (tx) => publishRevocation(tx, { kind: 'session', sessionId: '' })),
      );
    });
  });
}

describe('revocation bus reconnects', () => {
  it('re-listens with backoff after the connection is lost and flushes subscribers', async () => {
    let lose: ((e: Error) => void) | undefined;
    let listens = 0;
    const fake = {
      listen: async (_channel: string, _onMessage: (p: string) => void, onLost?: (e: Error) => void) => {
        listens++;
        if (listens === 2) throw new Error('database still down');
        lose = onLost;
        return async () => undefined;
      },
    };
    const bus = openRevocationBus({ store: fake, minBackoffMs: 5, maxBackoffMs: 20 });
    await bus.ready;
    const c = collector();
    bus.subscribe(c.subscriber);
    assert.equal(bus.connected, true);
    lose!(new Error('connection reset'));
    assert.equal(bus.connected, false);
    for (let i = 0; i < 100 && !bus.connected; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(bus.connected, true);
    assert.equal(listens, 3, 'one failed attempt, then success');
    assert.equal(c.resets, 1);
    await bus.close();
  });
});
