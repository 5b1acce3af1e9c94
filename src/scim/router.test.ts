// The SCIM router's walls, in process: a directory's request budget, the failed-authentication
// budget per source, and the SCIM error format of both (tiny apps, frozen clock, no sleeping).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../core/ids.ts';
import type { Store } from '../store/store.ts';
import { asSystem } from '../store/tenant.ts';
import { openPgliteTestStore } from '../../test/support/stores.ts';
import { createScimDirectory } from './directories.ts';
import { createScimRoutes } from './router.ts';

describe('SCIM router limits', () => {
  let store: Store;
  let token: string;
  before(async () => {
    store = await openPgliteTestStore();
    const org = newId('org');
    await asSystem(store.db, 'test fixture', (tx) =>
      tx.insertInto('organizations').values({ id: org, name: 'Acme' }).execute(),
    );
    const created = await createScimDirectory(
      { db: store.db, access: { revoke: async () => undefined } },
      { organizationId: org, name: 'Okta', actor: { type: 'system', id: null } },
    );
    token = created.token;
  });
  after(() => store?.close());

  const appWith = (now: { t: number }) =>
    createScimRoutes(
      { db: store.db, access: { revoke: async () => undefined } },
      {
        publicUrl: 'http://gatehouse.test',
        ratePerMinute: 60,
        maxBodyBytes: 4096,
        clock: () => now.t,
        sourceOf: () => '10.0.0.1',
      },
    );

  it('answers 429 with retry-after once a directory spent its budget, and again after the refill', async () => {
    const now = { t: 1_000_000 };
    const app = appWith(now);
    const get = () => app.request('/ServiceProviderConfig', { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 10; i++) assert.equal((await get()).status, 200, `request ${i}`);
    const limited = await get();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('content-type'), 'application/scim+json');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    const body = (await limited.json()) as { code: string; status: string };
    assert.equal(body.code, 'RATE_LIMITED');
    assert.equal(body.status, '429');
    now.t += 2_000;
    assert.equal((await get()).status, 200, 'one request a second comes back');
  });

  it('refuses a source that keeps failing authentication, even with a good token afterwards', async () => {
    const now = { t: 5_000_000 };
    const app = appWith(now);
    for (let i = 0; i < 20; i++) {
      const res = await app.request('/Users', { headers: { authorization: `Bearer gth_scim_${'x'.repeat(43)}` } });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { code: string }).code, 'SCIM_TOKEN_INVALID');
    }
    const blocked = await app.request('/Users', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(blocked.status, 429);
    now.t += 60_000;
    assert.equal((await app.request('/Users', { headers: { authorization: `Bearer ${token}` } })).status, 200);
  });

  it('limits the body before parsing it, in the SCIM format', async () => {
    const app = appWith({ t: 9_000_000 });
    const res = await app.request('/Users', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'a@acme.test', title: 'x'.repeat(5000) }),
    });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { scimType?: string; code: string };
    assert.equal(body.code, 'REQUEST_TOO_LARGE');
    assert.equal(body.scimType, undefined, 'RFC 7644 gives a 413 no scimType');
  });
});
