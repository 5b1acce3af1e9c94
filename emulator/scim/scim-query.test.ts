import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import { createEmulatorApp } from '../http/app.ts';
import { createFaultHooks } from '../http/faults.ts';
import { createScimRouter, SCIM_MOUNT_PATH } from './router.ts';
import { scimClient, seedDirectory } from './testing.ts';

// Queries an identity provider or a SCIM test suite sends (RFC 7644 §3.4): filters on meta and on
// schema-qualified attributes, attribute selection, POST .search, and the error contract, through
// the whole emulator app so unknown paths meet the app's routing as they would over HTTP.

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TOKEN = 'scim_token_for_tests_0123456789';

async function setup() {
  const world = createWorld();
  const { directory } = seedDirectory(world, { token: TOKEN });
  const ctx = {
    world,
    keys: await openSigningKeys(),
    config: { apiKey: 'sk_test_k', clientId: 'client_c', baseUrl: 'http://emulator.test' },
  };
  const app = createEmulatorApp(ctx, { faults: createFaultHooks(), scim: createScimRouter(world) });
  const base = `http://emulator.test${SCIM_MOUNT_PATH}/${directory.id}`;
  const scim = scimClient(async (path, init) => app.request(path, init), base, TOKEN);
  const raw = (method: string, path: string, body?: unknown) =>
    app.request(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ana = await scim.post('/Users', {
    schemas: [USER, ENTERPRISE],
    userName: 'ana@acme.test',
    name: { givenName: 'Ana', familyName: 'Lima' },
    emails: [{ value: 'ana@acme.test', primary: true, type: 'work' }],
    [ENTERPRISE]: { employeeNumber: '701', department: 'R&D' },
  });
  world.clock.advance(60_000);
  const bo = await scim.post('/Users', {
    schemas: [USER],
    userName: 'bo@acme.test',
    name: { givenName: 'Bo', familyName: 'Ek' },
  });
  assert.equal(ana.status, 201);
  assert.equal(bo.status, 201);
  return { world, scim, raw, ana: ana.body, bo: bo.body };
}

const ids = (body: { Resources: Array<{ userName: string }> }) => body.Resources.map((r) => r.userName);

test('filters on meta dates and on fully qualified core and extension attributes', async () => {
  const { scim, bo } = await setup();
  const after = encodeURIComponent(`meta.created gt "${bo.meta.created}"`);
  assert.deepEqual(ids((await scim.get(`/Users?filter=${after}`)).body), []);
  const since = encodeURIComponent(`meta.lastModified ge "${bo.meta.lastModified}"`);
  assert.deepEqual(ids((await scim.get(`/Users?filter=${since}`)).body), ['bo@acme.test']);
  const qualified = encodeURIComponent(`${USER}:userName eq "ANA@acme.test"`);
  assert.deepEqual(ids((await scim.get(`/Users?filter=${qualified}`)).body), ['ana@acme.test']);
  const extension = encodeURIComponent(`${ENTERPRISE}:employeeNumber eq "701"`);
  assert.deepEqual(ids((await scim.get(`/Users?filter=${extension}`)).body), ['ana@acme.test']);
  const present = encodeURIComponent(`${ENTERPRISE}:department pr`);
  assert.deepEqual(ids((await scim.get(`/Users?filter=${present}`)).body), ['ana@acme.test']);
});

test('attributes= keeps only the named attributes plus id and schemas; excludedAttributes drops sub-attributes', async () => {
  const { scim, ana } = await setup();
  const only = await scim.get(`/Users/${ana.id}?attributes=userName,name.givenName,${ENTERPRISE}:employeeNumber`);
  assert.deepEqual(Object.keys(only.body).sort(), ['id', 'name', 'schemas', ENTERPRISE, 'userName'].sort());
  assert.deepEqual(only.body.name, { givenName: 'Ana' });
  assert.deepEqual(only.body[ENTERPRISE], { employeeNumber: '701' });
  const listed = await scim.get('/Users?attributes=userName');
  assert.deepEqual(
    listed.body.Resources.map((r: object) => Object.keys(r).sort()),
    [
      ['id', 'schemas', 'userName'],
      ['id', 'schemas', 'userName'],
    ],
  );
  const without = await scim.get(`/Users/${ana.id}?excludedAttributes=name.familyName,emails`);
  assert.deepEqual(without.body.name, { givenName: 'Ana' });
  assert.equal(without.body.emails, undefined);
  assert.equal(without.body.id, ana.id, 'id is always returned');
});

test('POST /Users/.search and /Groups/.search take the query in a SearchRequest body', async () => {
  const { scim, raw } = await setup();
  const found = await scim.post('/Users/.search', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
    filter: 'name.givenName sw "B"',
    attributes: ['userName'],
    startIndex: 1,
    count: 10,
  });
  assert.equal(found.status, 200);
  assert.equal(found.body.totalResults, 1);
  assert.deepEqual(found.body.Resources, [
    { schemas: [USER], id: found.body.Resources[0].id, userName: 'bo@acme.test' },
  ]);
  await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Eng' });
  const groups = await scim.post('/Groups/.search', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
    filter: 'displayName eq "eng"',
  });
  assert.equal(groups.body.totalResults, 1);
  const bad = await raw('POST', '/Users/.search', { filter: 'userName pr' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { scimType: string }).scimType, 'invalidSyntax');
});

test('malformed filters are invalidFilter; PATCH without the PatchOp schema is refused; unknown paths are SCIM 404s', async () => {
  const { raw, ana } = await setup();
  for (const filter of ['userName zz "x"', 'userName eq', '(userName eq "a"', 'userName eq "a" and']) {
    const res = await raw('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    const body = (await res.json()) as { scimType?: string; schemas: string[] };
    assert.equal(res.status, 400, filter);
    assert.equal(body.scimType, 'invalidFilter', filter);
  }
  const patch = await raw('PATCH', `/Users/${ana.id}`, {
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  assert.equal(patch.status, 400);
  assert.equal(((await patch.json()) as { scimType: string }).scimType, 'invalidSyntax');
  for (const path of ['/Nope', '/Users/x/y', '/Bulk']) {
    const res = await raw('GET', path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get('content-type') ?? '', /application\/scim\+json/);
    const body = (await res.json()) as { schemas: string[]; status: string };
    assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    assert.equal(body.status, '404');
  }
});
