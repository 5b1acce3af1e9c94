// An organization that arrives with an external id still held by another mirrored organization
// (one deleted or replaced without our hearing of it, as after an emulator or environment reset)
// takes the id over instead of failing the whole event or reconciliation run.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { makeEvent, recordingRevoker } from '../webhooks/support.ts';

let store: Store;
before(async () => {
  store = await openPgliteTestStore();
});
after(() => store?.close());

it('a new organization takes over an external id a stale mirrored one still holds', async () => {
  const access = recordingRevoker();
  const send = (data: Record<string, unknown>, at: number) =>
    ingestEvent({ db: store.db, access }, makeEvent('organization.created', data, new Date(at)), 'webhook');
  await send(
    { object: 'organization', id: 'org_01OLDACME000000', name: 'Acme', external_id: 'acme' },
    Date.UTC(2026, 0, 1),
  );
  const result = await send(
    { object: 'organization', id: 'org_01NEWACME000000', name: 'Acme', external_id: 'acme' },
    Date.UTC(2026, 0, 2),
  );
  assert.equal(result.outcome, 'applied');
  const rows = await asSystem(store.db, 'test reads', (tx) =>
    tx.selectFrom('organizations').select(['id', 'external_id']).orderBy('id').execute(),
  );
  assert.deepEqual(rows, [
    { id: 'org_01NEWACME000000', external_id: 'acme' },
    { id: 'org_01OLDACME000000', external_id: null },
  ]);
});
