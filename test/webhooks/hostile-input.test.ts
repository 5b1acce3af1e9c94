// Signed but hostile input: events that pass the signature check and still try to hurt.
//   - dated far in the future, to freeze a mirror row so that the deactivation that follows is
//     ignored as stale and the person keeps access (event times are clamped to our clock);
//   - nested thousands of levels deep, to overflow a recursive walker into a 500 that WorkOS would
//     retry for days (refused with 400 WEBHOOK_PAYLOAD_TOO_DEEP, nothing stored);
//   - a row frozen in the future before the clamp existed is repaired by `reconcile --full`.
// Each case counts as accepted when the attack worked; the table prints `tried N accepted 0`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../../emulator/index.ts';
import { parseConfig } from '../../src/config.ts';
import { createDirectorySync } from '../../src/directory/directory-sync-service.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { testEngines } from '../support/stores.ts';
import { setupScimDirectory } from './scim-workload.ts';
import { deliver, makeEvent, recordingRevoker, signed, webhookApp } from './support.ts';

const DAY = 86_400_000;
const FUTURE: Array<[string, (now: number) => string]> = [
  ['ten minutes ahead', (now) => new Date(now + 600_000).toISOString()],
  ['an hour ahead', (now) => new Date(now + 3_600_000).toISOString()],
  ['a day ahead', (now) => new Date(now + DAY).toISOString()],
  ['a year ahead', (now) => new Date(now + 366 * DAY).toISOString()],
  ['a century ahead', (now) => new Date(now + 36_600 * DAY).toISOString()],
  ['year 9999', () => '9999-12-31T23:59:59.999Z'],
  ['year 9999 with an offset', () => '9999-12-31T12:00:00+05:00'],
];

// Built as text: the test's own JSON.stringify would overflow on these, as Gatehouse's must not.
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const secrets = (depth: number) => `${'{"password":{"x":'.repeat(depth / 2)}1${'}}'.repeat(depth / 2)}`;
const HOLE = '__NESTED__';
const DEEP: Array<[string, Record<string, unknown>, (depth: number) => string]> = [
  ['objects under data', { id: 'x', deep: HOLE }, objects],
  ['arrays under data', { id: 'x', deep: HOLE }, arrays],
  [
    "a directory user's raw attributes",
    {
      id: 'directory_user_deep',
      directory_id: 'directory_deep',
      organization_id: 'org_deep',
      state: 'active',
      raw_attributes: HOLE,
    },
    objects,
  ],
  ['secret-looking keys all the way down', { id: 'x', token: 'a', nested: HOLE }, secrets],
];
const DEPTHS = [33, 64, 65, 1_000, 20_000];

for (const engine of testEngines()) {
  describe(`signed but hostile input (${engine.name})`, () => {
    let store: Store;
    let gatehouse: ReturnType<typeof webhookApp>;
    let tried = 0;
    let accepted = 0;
    before(async () => {
      store = await engine.open();
      gatehouse = webhookApp(store);
    });
    after(async () => {
      console.log(`hostile input (${engine.name}): tried ${tried} accepted ${accepted}`);
      await store?.close();
    });

    const post = async (
      event: { id: string; event: string; data: Record<string, unknown>; created_at: string },
      nested = '',
    ) => {
      const body = JSON.stringify(event).replace(`"${HOLE}"`, nested);
      return deliver(gatehouse.app, body, signed(body));
    };
    const read = <T>(fn: Parameters<typeof asSystem<T>>[2]) => asSystem(store.db, 'test reads', fn);

    it('an event dated in the future cannot freeze a row: the deactivation after it still applies', async () => {
      const org = `org_future_${engine.name}`;
      const dir = `directory_future_${engine.name}`;
      await post(
        makeEvent('organization_domain.verified', {
          object: 'organization_domain',
          id: `org_domain_future_${engine.name}`,
          organization_id: org,
          domain: 'future.test',
          state: 'verified',
        }),
      );
      await post(
        makeEvent('dsync.activated', {
          object: 'directory',
          id: dir,
          organization_id: org,
          name: 'D',
          type: 'okta scim v2.0',
          state: 'active',
        }),
      );
      const failures: string[] = [];
      for (const [i, [name, at]] of FUTURE.entries()) {
        tried++;
        const user = `user_future_${engine.name}_${i}`;
        const du = {
          object: 'directory_user',
          id: `directory_user_future_${engine.name}_${i}`,
          directory_id: dir,
          organization_id: org,
          idp_id: `${i}`,
          email: `p${i}@future.test`,
          first_name: 'P',
          last_name: 'F',
          emails: [],
        };
        assert.equal(
          (
            await post(
              makeEvent('user.created', {
                object: 'user',
                id: user,
                email: `p${i}@future.test`,
                first_name: 'P',
                last_name: 'F',
              }),
            )
          ).status,
          200,
        );
        assert.equal((await post(makeEvent('dsync.user.created', { ...du, state: 'active' }))).status, 200);
        const hostile = {
          ...makeEvent('dsync.user.updated', { ...du, state: 'active', first_name: 'Frozen' }),
          created_at: at(Date.now()),
        };
        assert.equal((await post(hostile)).status, 200, name);
        const deactivation = makeEvent(
          'dsync.user.updated',
          { ...du, state: 'suspended' },
          new Date(Date.now() + 1_000),
        );
        assert.equal((await post(deactivation)).status, 200, name);
        const row = await read((tx) =>
          tx.selectFrom('directory_users').select('state').where('id', '=', du.id).executeTakeFirstOrThrow(),
        );
        const m = await read((tx) =>
          tx
            .selectFrom('organization_memberships')
            .select('status')
            .where('organization_id', '=', org)
            .where('user_id', '=', user)
            .executeTakeFirst(),
        );
        if (row.state !== 'suspended' || m?.status !== 'inactive') {
          accepted++;
          failures.push(`${name}: directory user ${row.state}, membership ${m?.status}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('a deeply nested payload answers 400 WEBHOOK_PAYLOAD_TOO_DEEP and stores nothing; a normal one passes', async () => {
      const failures: string[] = [];
      for (const [shape, data, nest] of DEEP) {
        for (const depth of DEPTHS) {
          tried++;
          const event = makeEvent('dsync.user.created', data);
          const res = await post(event, nest(depth));
          const body = (await res.json()) as { code?: string };
          const stored = await read((tx) =>
            tx.selectFrom('webhook_events').select('id').where('id', '=', event.id).executeTakeFirst(),
          );
          if (res.status !== 400 || body.code !== 'WEBHOOK_PAYLOAD_TOO_DEEP' || stored) {
            accepted++;
            failures.push(`${shape} at depth ${depth}: ${res.status} ${body.code}${stored ? ', stored' : ''}`);
          }
        }
      }
      assert.deepEqual(failures, []);
      const ordinary = makeEvent('organization.created', {
        object: 'organization',
        id: `org_shallow_${engine.name}`,
        name: 'S',
        meta: HOLE,
      });
      assert.equal((await post(ordinary, objects(20))).status, 200, 'an event nested 20 levels is an ordinary one');
    });

    if (engine.name !== 'pglite') return;
    it('reconcile --full repairs a row frozen by a future version before the clamp existed', async () => {
      tried++;
      const emu = await startEmulator({ seed: false });
      try {
        const env = {
          WORKOS_API_KEY: emu.apiKey,
          WORKOS_CLIENT_ID: emu.clientId,
          WORKOS_API_HOSTNAME: '127.0.0.1',
          WORKOS_API_PORT: String(emu.port),
          WORKOS_API_HTTPS: 'false',
        };
        const sync = createDirectorySync(parseConfig(env), {
          db: store.db,
          engine: 'pglite',
          logger: createLogger('silent'),
          access: recordingRevoker(),
        });
        const dir = await setupScimDirectory(emu);
        const created = await dir.scim.post('/Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'frozen@frozen.test',
          active: true,
          name: { givenName: 'Fro', familyName: 'Zen' },
          emails: [{ value: 'frozen@frozen.test', primary: true }],
        });
        await sync.reconcile({ full: true });
        const id = (
          await read((tx) =>
            tx
              .selectFrom('directory_users')
              .select('id')
              .where('organization_id', '=', dir.organizationId)
              .executeTakeFirstOrThrow(),
          )
        ).id;
        // What an unclamped far-future event left behind.
        await read((tx) =>
          tx
            .updateTable('directory_users')
            .set({ provider_updated_at: '9999-12-31T00:00:00Z', last_event_id: 'event_future' })
            .where('id', '=', id)
            .execute(),
        );
        assert.equal(
          (await dir.scim.patch(`/Users/${created.body.id}`, [{ op: 'replace', path: 'active', value: false }])).status,
          200,
        );
        const report = await sync.reconcile({ full: true });
        const row = await read((tx) =>
          tx
            .selectFrom('directory_users')
            .select(['state', 'provider_updated_at'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow(),
        );
        if (row.state !== 'inactive' || !row.provider_updated_at || row.provider_updated_at.getTime() > Date.now())
          accepted++;
        assert.equal(row.state, 'inactive');
        assert.ok(
          row.provider_updated_at && row.provider_updated_at.getTime() <= Date.now(),
          'the stored version is back in the present',
        );
        assert.ok((report?.kinds.directory_users?.updated ?? 0) >= 1);
        sync.close();
      } finally {
        await emu.close();
      }
    });
  });
}
