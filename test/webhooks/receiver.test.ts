// POST /webhooks/workos through the whole HTTP app: the signature table (each refusal applies
// nothing and answers its code), rotation, replay, malformed and oversized bodies, unknown types,
// and a failing handler that leaves nothing half-applied until the retry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { testEngines } from '../support/stores.ts';
import {
  countRows,
  deliver,
  makeEvent,
  PREVIOUS_SECRET,
  recordingRevoker,
  SECRET,
  signed,
  webhookApp,
} from './support.ts';

function dsyncUser(org: string, id: string, state = 'active') {
  return {
    object: 'directory_user',
    id,
    directory_id: 'directory_1',
    organization_id: org,
    idp_id: id,
    email: `${id}@acme.test`,
    first_name: 'A',
    last_name: 'B',
    state,
    emails: [],
    raw_attributes: {},
    custom_attributes: {},
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  };
}

for (const engine of testEngines()) {
  describe(`webhook receiver (${engine.name})`, () => {
    let store: Store;
    before(async () => {
      store = await engine.open();
    });
    after(async () => store?.close());

    it('refuses every bad signature with 401 WEBHOOK_SIGNATURE_INVALID and applies nothing', async () => {
      const reasons: string[] = [];
      const { app } = webhookApp(store, { onRejected: (r) => reasons.push(r) });
      const event = makeEvent('dsync.user.created', dsyncUser('org_sig', 'directory_user_sig'));
      const body = JSON.stringify(event);
      const tampered = body.replace('"A"', '"X"');
      const cases: Array<[string, string, string | null]> = [
        ['wrong secret', body, signed(body, 'whsec_wrong_secret_000000')],
        ['one changed byte', tampered, signed(body)],
        ['missing header', body, null],
        ['stale timestamp', body, signed(body, SECRET, Date.now() - 10 * 60_000)],
        ['far-future timestamp', body, signed(body, SECRET, Date.now() + 10 * 60_000)],
      ];
      const before = await countRows(store.db, 'webhook_events');
      for (const [name, payload, header] of cases) {
        const res = await deliver(app, payload, header);
        assert.equal(res.status, 401, name);
        assert.match(res.headers.get('content-type') ?? '', /problem\+json/, name);
        assert.equal((await res.json()).code, 'WEBHOOK_SIGNATURE_INVALID', name);
      }
      assert.equal(await countRows(store.db, 'webhook_events'), before);
      assert.deepEqual(
        reasons,
        ['mismatch', 'mismatch', 'missing_header', 'timestamp_too_old', 'timestamp_in_future'],
        'the operator learns which check failed',
      );
      const mirrored = await asSystem(store.db, 't', (tx) =>
        tx.selectFrom('directory_users').select('id').where('id', '=', 'directory_user_sig').execute(),
      );
      assert.equal(mirrored.length, 0);
    });

    it('applies a valid delivery once; a replay answers 200 and changes nothing', async () => {
      const { app, receiver } = webhookApp(store);
      const event = makeEvent('dsync.user.created', dsyncUser('org_replay', 'directory_user_replay'));
      const body = JSON.stringify(event);
      const first = await deliver(app, body, signed(body));
      assert.equal(first.status, 200);
      assert.equal((await first.json()).outcome, 'applied');
      const audits = await countRows(store.db, 'audit_events');
      const replay = await deliver(app, body, signed(body));
      assert.equal(replay.status, 200);
      assert.equal((await replay.json()).outcome, 'duplicate');
      assert.equal(await countRows(store.db, 'audit_events'), audits, 'no second audit entry');
      assert.deepEqual(
        { applied: receiver.stats().applied, duplicate: receiver.stats().duplicate },
        { applied: 1, duplicate: 1 },
      );
    });

    it('accepts the previous secret during a rotation', async () => {
      const { app } = webhookApp(store, { secrets: [SECRET, PREVIOUS_SECRET] });
      const body = JSON.stringify(makeEvent('dsync.user.created', dsyncUser('org_rot', 'directory_user_rot')));
      assert.equal((await deliver(app, body, signed(body, PREVIOUS_SECRET))).status, 200);
    });

    it('answers 400 to a malformed body and 413 to an oversized one', async () => {
      const { app } = webhookApp(store);
      const notJson = '{"id": nope';
      const bad = await deliver(app, notJson, signed(notJson));
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).code, 'WEBHOOK_PAYLOAD_INVALID');
      const noEnvelope = JSON.stringify({ hello: 'world' });
      assert.equal((await deliver(app, noEnvelope, signed(noEnvelope))).status, 400);
      const huge = JSON.stringify(makeEvent('dsync.user.created', { pad: 'x'.repeat(300 * 1024) }));
      const big = await deliver(app, huge, signed(huge));
      assert.equal(big.status, 413);
    });

    it('stores and acknowledges an unknown event type', async () => {
      const { app } = webhookApp(store);
      const event = makeEvent('brand_new.thing_happened', { id: 'thing_1' });
      const body = JSON.stringify(event);
      const res = await deliver(app, body, signed(body));
      assert.equal(res.status, 200);
      assert.equal((await res.json()).outcome, 'unhandled');
      const row = await asSystem(store.db, 't', (tx) =>
        tx
          .selectFrom('webhook_events')
          .select(['type', 'outcome'])
          .where('id', '=', event.id)
          .executeTakeFirstOrThrow(),
      );
      assert.deepEqual(row, { type: 'brand_new.thing_happened', outcome: 'unhandled' });
    });

    it('a failure answers 5xx, leaves nothing half-applied, and the retry applies it once', async () => {
      const org = 'org_fail';
      const user = 'user_fail';
      await asSystem(store.db, 'fixture', async (tx) => {
        await tx.insertInto('organizations').values({ id: org, name: 'Fail' }).execute();
        await tx.insertInto('users').values({ id: user, email: 'fail@acme.test' }).execute();
        await tx
          .insertInto('organization_memberships')
          .values({
            organization_id: org,
            id: 'om_fail',
            user_id: user,
            role_slug: 'member',
            status: 'active',
            source: 'manual',
          })
          .execute();
      });
      const active = makeEvent('dsync.user.created', {
        ...dsyncUser(org, 'directory_user_fail'),
        email: 'fail@acme.test',
      });
      let body = JSON.stringify(active);
      const ok = webhookApp(store);
      assert.equal((await deliver(ok.app, body, signed(body))).status, 200);

      // Deprovisioning publishes a revocation; make that fail after the mirror writes happened.
      const broken = webhookApp(store, {
        access: {
          revoke: async () => {
            throw new Error('bus down');
          },
        },
      });
      const inactive = makeEvent('dsync.user.updated', {
        ...dsyncUser(org, 'directory_user_fail', 'inactive'),
        email: 'fail@acme.test',
      });
      body = JSON.stringify(inactive);
      const failed = await deliver(broken.app, body, signed(body));
      assert.equal(failed.status, 500);
      const state = () =>
        asSystem(store.db, 't', async (tx) => ({
          inbox: (await tx.selectFrom('webhook_events').select('id').where('id', '=', inactive.id).execute()).length,
          dirUser: (
            await tx
              .selectFrom('directory_users')
              .select('state')
              .where('id', '=', 'directory_user_fail')
              .executeTakeFirstOrThrow()
          ).state,
          membership: (
            await tx
              .selectFrom('organization_memberships')
              .select('status')
              .where('id', '=', 'om_fail')
              .executeTakeFirstOrThrow()
          ).status,
        }));
      assert.deepEqual(await state(), { inbox: 0, dirUser: 'active', membership: 'active' });

      const revoker = recordingRevoker();
      const retry = webhookApp(store, { access: revoker });
      assert.equal((await deliver(retry.app, body, signed(body))).status, 200);
      assert.deepEqual(await state(), { inbox: 1, dirUser: 'inactive', membership: 'inactive' });
      assert.deepEqual(revoker.events, [
        { kind: 'membership', organizationId: org, userId: user },
        { kind: 'user', userId: user, organizationId: org },
      ]);
    });
  });
}

describe('webhook inbox keeps no secrets', () => {
  it('stores a magic auth code, an invitation token and its link redacted', async () => {
    const store = await testEngines()[0]!.open();
    try {
      const { app } = webhookApp(store);
      const event = makeEvent('invitation.created', {
        object: 'invitation',
        id: 'invitation_s',
        email: 'x@y.test',
        state: 'pending',
        organization_id: 'org_s',
        token: 'tok_secret_123',
        accept_invitation_url: 'https://x/accept?token=tok_secret_123',
        code: '123456',
      });
      const body = JSON.stringify(event);
      assert.equal((await deliver(app, body, signed(body))).status, 200);
      const row = await asSystem(store.db, 't', (tx) =>
        tx.selectFrom('webhook_events').select('payload').where('id', '=', event.id).executeTakeFirstOrThrow(),
      );
      const text = JSON.stringify(row.payload);
      assert.ok(!text.includes('tok_secret_123') && !text.includes('123456'), text);
    } finally {
      await store.close();
    }
  });
});
