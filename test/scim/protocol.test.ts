// RFC 7644 behaviour over HTTP: discovery, filters (and/or/not, pr, eq/co/sw/ew/gt/lt,
// meta.lastModified, extension URNs), paging and attribute selection, ETags, the SCIM error
// format with its scimType, 404s under /scim/v2, tokens (rotation overlap, revocation, deletion),
// the body limit, and the /api/v1 directory routes' permission checks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../../src/access/api-keys.ts';
import { operatorGranter } from '../../src/access/ceiling.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createRole } from '../../src/organizations/roles.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { ENTERPRISE, startScimWorld, USER, type ScimWorld } from './support.ts';

describe('the SCIM protocol surface', () => {
  let w: ScimWorld;
  let acme: string;
  before(async () => {
    w = await startScimWorld();
    acme = w.world.orgs.acme;
  });
  after(() => w?.close());

  it('filters, pages, selects attributes and answers discovery', async () => {
    const dir = await w.createDirectory(acme, 'Filters');
    const scim = w.scim(dir.token);
    const ids: string[] = [];
    for (const [i, dept] of [
      [1, 'Sales'],
      [2, 'R&D'],
      [3, 'R&D'],
    ] as const) {
      const res = await scim.post('/Users', {
        schemas: [USER, ENTERPRISE],
        userName: `user${i}@acme.test`,
        ...(i === 3 ? {} : { title: `Title ${i}` }),
        active: i !== 2,
        emails: [{ type: 'work', value: `user${i}@acme.test`, primary: true }],
        [ENTERPRISE]: { department: dept, employeeNumber: `00${i}` },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(res.body.id);
    }
    const find = async (filter: string) => {
      const res = await scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
      assert.equal(res.status, 200, `${filter}: ${JSON.stringify(res.body)}`);
      return res.body.Resources.map((r: { id: string }) => ids.indexOf(r.id) + 1);
    };
    assert.deepEqual(await find('userName eq "USER1@acme.test"'), [1]);
    assert.deepEqual(await find('userName sw "user" and active eq true'), [1, 3]);
    assert.deepEqual(await find('userName ew "2@acme.test" or userName eq "user3@acme.test"'), [2, 3]);
    assert.deepEqual(await find('not (userName co "1")'), [2, 3]);
    assert.deepEqual(await find('title pr'), [1, 2]);
    assert.deepEqual(await find(`${ENTERPRISE}:department eq "R&D"`), [2, 3]);
    assert.deepEqual(await find(`${ENTERPRISE}:employeeNumber gt "001"`), [2, 3]);
    assert.deepEqual(await find(`${ENTERPRISE}:employeeNumber lt "002"`), [1]);
    assert.deepEqual(await find('emails[type eq "work" and value co "3@"]'), [3]);
    assert.deepEqual(await find('meta.lastModified gt "2000-01-01T00:00:00Z"'), [1, 2, 3]);
    assert.deepEqual(await find('meta.lastModified lt "2000-01-01T00:00:00Z"'), []);

    const bad = await scim.get(`/Users?filter=${encodeURIComponent('userName eq')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.scimType, 'invalidFilter');
    assert.deepEqual(bad.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);

    const page = await scim.get('/Users?startIndex=2&count=1&attributes=userName');
    assert.equal(page.body.totalResults, 3);
    assert.equal(page.body.startIndex, 2);
    assert.equal(page.body.itemsPerPage, 1);
    assert.deepEqual(Object.keys(page.body.Resources[0]).sort(), ['id', 'schemas', 'userName']);
    const excluded = await scim.get(`/Users/${ids[0]}?excludedAttributes=emails,${ENTERPRISE}`);
    assert.equal(excluded.body.emails, undefined);
    assert.equal(excluded.body[ENTERPRISE], undefined);
    assert.equal(excluded.body.userName, 'user1@acme.test');

    const search = await scim.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'active eq false',
      attributes: ['userName'],
    });
    assert.equal(search.status, 200);
    assert.deepEqual(
      search.body.Resources.map((r: { userName: string }) => r.userName),
      ['user2@acme.test'],
    );

    const spc = await scim.get('/ServiceProviderConfig');
    assert.equal(spc.body.patch.supported, true);
    assert.equal(spc.body.etag.supported, true);
    const types = await scim.get('/ResourceTypes');
    assert.deepEqual(
      types.body.Resources.map((t: { id: string }) => t.id),
      ['User', 'Group'],
    );
    const schemas = await scim.get('/Schemas');
    assert.ok(schemas.body.Resources.some((s: { id: string }) => s.id === ENTERPRISE));
    assert.equal((await scim.get(`/Schemas/${USER}`)).status, 200);
  });

  it('answers SCIM errors with the right scimType, status and media type', async () => {
    const dir = await w.createDirectory(acme, 'Errors');
    const scim = w.scim(dir.token);
    const user = (await scim.post('/Users', { schemas: [USER], userName: 'err@acme.test' })).body;
    const cases: Array<[string, Promise<{ status: number; body: any; headers: Headers }>, number, string | undefined]> =
      [
        ['unknown path', scim.get('/Nope'), 404, undefined],
        ['unknown user', scim.get('/Users/directory_user_01NOPE'), 404, undefined],
        ['bad filter', scim.get('/Users?filter=userName%20zz%20%22a%22'), 400, 'invalidFilter'],
        ['no userName', scim.post('/Users', { schemas: [USER] }), 400, 'invalidValue'],
        ['duplicate', scim.post('/Users', { schemas: [USER], userName: 'ERR@acme.test' }), 409, 'uniqueness'],
        [
          'id replaced',
          scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'id', value: 'x' }]),
          400,
          'mutability',
        ],
        ['id changed by PUT', scim.put(`/Users/${user.id}`, { ...user, id: 'other' }), 400, 'mutability'],
        ['remove without path', scim.patch(`/Users/${user.id}`, [{ op: 'remove' }]), 400, 'noTarget'],
        [
          'not a PatchOp',
          scim.put(`/Users/${user.id}`, { schemas: [USER], userName: 5 } as unknown as object),
          400,
          'invalidValue',
        ],
      ];
    for (const [label, pending, status, scimType] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${label}: ${JSON.stringify(res.body)}`);
      assert.equal(res.headers.get('content-type'), 'application/scim+json', label);
      assert.equal(res.body.status, String(status), label);
      assert.equal(res.body.scimType, scimType, label);
    }
    const raw = await fetch(`${w.world.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dir.token}`, 'content-type': 'application/scim+json' },
      body: '{"userName": ',
    });
    assert.equal(raw.status, 400);
    assert.equal(((await raw.json()) as { scimType: string }).scimType, 'invalidSyntax');
    // In process: over a socket the server answers before the client finished sending.
    const big = await w.world.gatehouse.app.request('/scim/v2/Users', {
      method: 'POST',
      headers: { authorization: `Bearer ${dir.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER], userName: 'big@acme.test', title: 'x'.repeat(1_100_000) }),
    });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('content-type'), 'application/scim+json');
    assert.equal(((await big.json()) as { code: string }).code, 'REQUEST_TOO_LARGE');
    assert.equal((await scim.get('/Users?filter=userName%20eq%20%22big%40acme.test%22')).body.totalResults, 0);

    // ETags: a stale If-Match changes nothing.
    const stale = await fetch(`${w.world.url}/scim/v2/Users/${user.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${dir.token}`,
        'content-type': 'application/scim+json',
        'if-match': 'W/"99"',
      },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
    });
    assert.equal(stale.status, 412);
    const current = await scim.get(`/Users/${user.id}`);
    assert.equal(current.body.active, true);
    assert.equal(current.headers.get('etag'), 'W/"1"');
  });

  it('tokens: unknown refused, rotation keeps the old one for its overlap, revocation and deletion stop all', async () => {
    const none = await w.scim('gth_scim_not-a-real-token-000000000000000000000000').get('/Users');
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'SCIM_TOKEN_INVALID');
    assert.equal((await fetch(`${w.world.url}/scim/v2/Users`)).status, 401);

    const dir = await w.createDirectory(acme, 'Tokens');
    const rotated = await w.api('POST', `/organizations/${acme}/scim-directories/${dir.id}/rotate-token`, {
      overlapSeconds: 3600,
    });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.token, dir.token);
    assert.equal(rotated.body.directory.tokens.length, 2);
    assert.equal((await w.scim(dir.token).get('/Users')).status, 200, 'the old token works during the overlap');
    assert.equal((await w.scim(rotated.body.token).get('/Users')).status, 200);
    const now = await w.api('POST', `/organizations/${acme}/scim-directories/${dir.id}/rotate-token`, {
      overlapSeconds: 0,
    });
    assert.equal((await w.scim(dir.token).get('/Users')).status, 401, 'overlap 0 ends earlier tokens at once');
    assert.equal((await w.scim(rotated.body.token).get('/Users')).status, 401);
    assert.equal((await w.scim(now.body.token).get('/Users')).status, 200);

    const listed = await w.api('GET', `/organizations/${acme}/scim-directories`);
    const mine = listed.body.data.find((d: { id: string }) => d.id === dir.id);
    assert.equal(mine.tokens.length, 1);
    assert.ok(!JSON.stringify(listed.body).includes(now.body.token), 'a token is shown only once');

    assert.equal((await w.api('DELETE', `/organizations/${acme}/scim-directories/${dir.id}/tokens`)).status, 204);
    assert.equal((await w.scim(now.body.token).get('/Users')).status, 401);

    const doomed = await w.createDirectory(acme, 'Doomed');
    const carol = await w.createUser('carol@acme.test');
    await w.verifyDomain(acme, 'acme.test');
    assert.equal(
      (await w.scim(doomed.token).post('/Users', { schemas: [USER], userName: 'carol@acme.test' })).status,
      201,
    );
    assert.equal((await w.membership(acme, carol))?.status, 'active');
    assert.equal((await w.api('DELETE', `/organizations/${acme}/scim-directories/${doomed.id}`)).status, 204);
    assert.equal((await w.membership(acme, carol))?.status, 'inactive', 'deleting a directory deprovisions');
    assert.equal((await w.scim(doomed.token).get('/Users')).status, 401);
  });

  it('the /api/v1 routes go through the access decision and the ceiling: member 403, other tenant 404', async () => {
    const bob = w.world.members.bob;
    const asBob = await fetch(`${w.world.url}/api/v1/organizations/${acme}/scim-directories`, {
      headers: { cookie: `gatehouse_session=${bob.cookie}` },
    });
    assert.equal(asBob.status, 403);
    const otherTenant = await w.api('GET', `/organizations/${w.world.orgs.globex}/scim-directories`);
    assert.equal(otherTenant.status, 404);
    const unknown = await w.api(
      'DELETE',
      `/organizations/${acme}/scim-directories/directory_01NOTTHEREATALL00000000000`,
    );
    assert.equal(unknown.status, 404);
    // The ceiling: a directory provisions people with the default role, so a caller who holds
    // directory:manage but not the default role's permissions may not create one.
    await createRole(
      w.world.gatehouse.store.db,
      acme,
      { slug: 'dir-only', name: 'Directory only', permissions: ['directory:manage'] },
      operatorGranter({ type: 'system', id: null }, w.world.gatehouse.permissions),
    );
    const narrow = await inTenant(w.world.gatehouse.store.db, acme, (tx) =>
      createApiKey(tx, {
        catalogue: w.world.gatehouse.permissions,
        creator: {
          principal: { type: 'user', userId: w.world.members.ada.userId },
          organizationId: acme,
          role: 'admin',
          permissions: ALL_PERMISSIONS,
          authMethod: 'session',
          isSuperAdmin: false,
        },
        name: 'narrow',
        role: 'dir-only',
        ownership: 'organization',
      }),
    );
    const seq = await w.auditHead(acme);
    const refusedByCeiling = await w.api(
      'POST',
      `/organizations/${acme}/scim-directories`,
      { name: 'x' },
      narrow.secret,
    );
    assert.equal(refusedByCeiling.status, 403);
    assert.equal(refusedByCeiling.body.code, 'AUTH_PERMISSION_CEILING');
    assert.deepEqual(
      (await w.auditSince(acme, seq)).map((e) => e.type),
      ['access.escalation_refused'],
    );
    const doc = await w.api('GET', '/openapi.json');
    assert.ok(doc.body.paths['/organizations/{orgId}/scim-directories']);
  });
});
