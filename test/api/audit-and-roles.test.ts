// /api/v1 audit and roles routes over app.request(), with the OpenAPI document checked by a
// validator from npm and real responses checked against it. The AuthContext comes from the
// `authenticate` seam the access verifier plugs into; tests of the verifier itself live in
// src/access.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { appendAuditEvent } from '../../src/audit/audit-log.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createAuditKeyRing, trustedKeysFromJwks, verifyCheckpointSignature } from '../../src/audit/checkpoint.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { ResponseChecker } from '../support/openapi-responses.ts';

function ctx(orgId: string, userId: string, role: 'admin' | 'member', extra: Partial<AuthContext> = {}): AuthContext {
  return {
    principal: { type: 'user', userId },
    organizationId: orgId,
    role,
    permissions: role === 'admin' ? ALL_PERMISSIONS : ['organization:read', 'members:read'],
    authMethod: 'session',
    isSuperAdmin: false,
    ...extra,
  };
}

describe('/api/v1 audit and roles', () => {
  let store: Store;
  let orgA: string;
  let orgB: string;
  let adminA: AuthContext;
  let memberA: AuthContext;
  let adminB: AuthContext;
  const contexts = new Map<string, AuthContext>();
  let app: ReturnType<typeof createHttpApp>;
  let checker: ResponseChecker;

  before(async () => {
    store = await openPgliteTestStore();
    orgA = await createOrg(store.db, 'Acme');
    orgB = await createOrg(store.db, 'Globex');
    const u1 = await createUser(store.db, 'ada@acme.test');
    const u2 = await createUser(store.db, 'bob@acme.test');
    const u3 = await createUser(store.db, 'eve@globex.test');
    adminA = ctx(orgA, u1, 'admin');
    memberA = ctx(orgA, u2, 'member');
    adminB = ctx(orgB, u3, 'admin');
    contexts.set('adminA', adminA).set('memberA', memberA).set('adminB', adminB);
    for (let i = 0; i < 5; i++)
      await inTenant(store.db, orgA, (tx) =>
        appendAuditEvent(tx, {
          organizationId: orgA,
          type: i % 2 ? 'member.added' : 'sso.connection_created',
          actor: { type: 'user', id: u1 },
        }),
      );
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      publicUrl: 'http://gatehouse.test',
      auditKeys: createAuditKeyRing([], ['an-audit-test-secret-of-at-least-32-characters']),
      authenticate: async (c) => {
        const who = contexts.get(c.req.header('x-test-principal') ?? '');
        if (!who) throw new AppError('AUTH_REQUIRED', 'Sign in', { details: { wwwAuthenticate: 'Bearer' } });
        return who;
      },
    });
  });
  after(() => {
    console.log(`responses checked against the OpenAPI document: ${checker?.checked}`);
    return store.close();
  });

  // Every response a test sees is checked against the published document first.
  const as = async (who: string | null, path: string, init: RequestInit = {}) => {
    checker ??= new ResponseChecker(await (await app.request('/api/v1/openapi.json')).json());
    const res = await app.request(`/api/v1${path}`, {
      ...init,
      headers: {
        ...(who ? { 'x-test-principal': who } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
    const type = res.headers.get('content-type');
    if (/^application\/(problem\+)?json/.test(type ?? '') && res.status !== 204)
      checker.check(init.method ?? 'GET', path, res.status, type, await res.clone().json());
    return res;
  };

  it('serves an OpenAPI 3.1 document that a validator accepts', async () => {
    const res = await app.request('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = await res.json();
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.ok(doc.paths['/organizations/{orgId}/audit-events']);
  });

  it('lists audit events newest first with a cursor and filters', async () => {
    const first = await as('adminA', `/organizations/${orgA}/audit-events?limit=2`);
    assert.equal(first.status, 200);
    const page = await first.json();
    assert.deepEqual(
      page.data.map((e: { seq: number }) => e.seq),
      [5, 4],
    );
    const next = await (
      await as('adminA', `/organizations/${orgA}/audit-events?limit=2&cursor=${page.nextCursor}`)
    ).json();
    assert.deepEqual(
      next.data.map((e: { seq: number }) => e.seq),
      [3, 2],
    );
    const filtered = await (await as('adminA', `/organizations/${orgA}/audit-events?type=member.added`)).json();
    assert.ok(filtered.data.every((e: { type: string }) => e.type === 'member.added'));
    assert.equal(filtered.data.length, 2);
  });

  it('verifies and exports the log, ending in a signed checkpoint', async () => {
    const verdict = await (await as('adminA', `/organizations/${orgA}/audit-events/verify`)).json();
    assert.equal(verdict.valid, true);
    assert.ok(verdict.count >= 5);
    const exported = await as('adminA', `/organizations/${orgA}/audit-events/export`);
    assert.equal(exported.headers.get('content-type'), 'application/x-ndjson');
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, verdict.count + 1);
    assert.ok(
      lines.every((l) => l.organizationId === orgA),
      'the organization on every line',
    );
    assert.deepEqual(
      { kind: lines.at(-1).kind, size: lines.at(-1).size, rootHash: lines.at(-1).rootHash },
      { kind: 'checkpoint', size: verdict.count, rootHash: verdict.rootHash },
    );
  });

  it('serves checkpoints signed by a published key, and proofs that verify against them', async () => {
    const jwks = await (await app.request('/.well-known/gatehouse/audit-keys.json')).json();
    const trusted = trustedKeysFromJwks(jwks);
    const old = await (await as('adminA', `/organizations/${orgA}/audit-events/checkpoints/latest`)).json();
    assert.equal(verifyCheckpointSignature(old, trusted), true);
    await inTenant(store.db, orgA, (tx) =>
      appendAuditEvent(tx, { organizationId: orgA, type: 'member.added', actor: { type: 'system', id: null } }),
    );
    const issued = await as('adminA', `/organizations/${orgA}/audit-events/checkpoints`, { method: 'POST' });
    assert.equal(issued.status, 201);
    const now = await issued.json();
    assert.equal(now.size, old.size + 1);
    assert.equal(verifyCheckpointSignature(now, trusted), true);
    const latest = await (await as('adminA', `/organizations/${orgA}/audit-events/checkpoints/latest`)).json();
    assert.deepEqual(latest, now);

    const hex = (h: string) => Buffer.from(h, 'hex');
    const c = await (
      await as('adminA', `/organizations/${orgA}/audit-events/proofs/consistency?from=${old.size}&to=${now.size}`)
    ).json();
    assert.equal(verifyConsistency(old.size, now.size, hex(old.rootHash), hex(now.rootHash), c.proof.map(hex)), true);
    for (let seq = 1; seq <= now.size; seq++) {
      const p = await (
        await as('adminA', `/organizations/${orgA}/audit-events/proofs/inclusion?seq=${seq}&size=${now.size}`)
      ).json();
      assert.equal(p.leafHash, leafHash(p.entry).toString('hex'));
      assert.equal(
        verifyInclusion(seq - 1, now.size, hex(p.leafHash), p.proof.map(hex), hex(now.rootHash)),
        true,
        `seq ${seq}`,
      );
    }
    const beyond = await as('adminA', `/organizations/${orgA}/audit-events/proofs/inclusion?seq=${now.size + 1}`);
    assert.equal(beyond.status, 400);
    assert.equal((await beyond.json()).code, 'AUDIT_PROOF_OUT_OF_RANGE');
    const other = await as('adminB', `/organizations/${orgA}/audit-events/checkpoints/latest`);
    assert.equal(other.status, 404);
  });

  it('creates, updates and deletes a custom role, audited', async () => {
    const created = await as('adminA', `/organizations/${orgA}/roles`, {
      method: 'POST',
      body: JSON.stringify({ slug: 'auditor', name: 'Auditor', permissions: ['audit:read'] }),
    });
    assert.equal(created.status, 201);
    const list = await (await as('memberA', `/organizations/${orgA}/roles`)).json();
    assert.deepEqual(
      list.data.map((r: { slug: string }) => r.slug),
      ['admin', 'member', 'auditor'],
    );
    const patched = await as('adminA', `/organizations/${orgA}/roles/auditor`, {
      method: 'PATCH',
      body: JSON.stringify({ permissions: ['audit:read', 'members:read'] }),
    });
    assert.deepEqual((await patched.json()).permissions, ['audit:read', 'members:read']);
    assert.equal((await as('adminA', `/organizations/${orgA}/roles/auditor`, { method: 'DELETE' })).status, 204);
    const types = await (await as('adminA', `/organizations/${orgA}/audit-events?type=role.created`)).json();
    assert.equal(types.data.length, 1);
  });

  it('a route whose service this server lacks answers 503 with a code, and stays documented', async () => {
    const res = await as('adminA', `/organizations/${orgA}/sso`, {
      method: 'PUT',
      body: JSON.stringify({ connectionId: 'conn_01ABCDEFGHJKMNPQRS', provider: 'GenericSAML' }),
    });
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.code, 'PROVIDER_UNAVAILABLE');
    assert.match(body.detail, /not configured on this server/);
  });

  it('refuses built-in role changes and duplicate slugs with 409', async () => {
    assert.equal((await as('adminA', `/organizations/${orgA}/roles/admin`, { method: 'DELETE' })).status, 409);
    await as('adminA', `/organizations/${orgA}/roles`, {
      method: 'POST',
      body: JSON.stringify({ slug: 'ops', name: 'Ops', permissions: [] }),
    });
    const dup = await as('adminA', `/organizations/${orgA}/roles`, {
      method: 'POST',
      body: JSON.stringify({ slug: 'ops', name: 'Ops', permissions: [] }),
    });
    assert.equal(dup.status, 409);
    assert.equal((await dup.json()).code, 'ROLE_EXISTS');
  });

  it('tenant walls: another organization answers 404, a missing permission 403, no credential 401', async () => {
    const paths = [
      `/organizations/${orgA}/audit-events`,
      `/organizations/${orgA}/audit-events/verify`,
      `/organizations/${orgA}/audit-events/export`,
      `/organizations/${orgA}/roles`,
    ];
    let tried = 0;
    let leaked = 0;
    for (const path of paths) {
      for (const [who, expected] of [
        ['adminB', 404],
        [null, 401],
      ] as const) {
        tried += 1;
        const res = await as(who, path);
        if (res.status !== expected) leaked += 1;
        const text = await res.text();
        if (text.includes('sso.connection_created') || text.includes('auditor')) leaked += 1;
      }
    }
    tried += 1;
    const forbidden = await as('memberA', `/organizations/${orgA}/audit-events`);
    if (forbidden.status !== 403) leaked += 1;
    console.log(`tenant walls: tried ${tried} leaked ${leaked}`);
    assert.equal(leaked, 0);
  });

  const badInputs: [string, string, RequestInit, number][] = [
    ['malformed org id', '/organizations/not-an-id/audit-events', {}, 422],
    ['unknown query field', `/organizations/{A}/audit-events?admin=1`, {}, 422],
    ['limit out of range', `/organizations/{A}/audit-events?limit=100000`, {}, 422],
    ['forged cursor', `/organizations/{A}/audit-events?cursor=${'x'.repeat(20)}`, {}, 422],
    ['bad timestamp', `/organizations/{A}/audit-events?since=yesterday`, {}, 422],
    [
      'role with unknown permission',
      `/organizations/{A}/roles`,
      { method: 'POST', body: JSON.stringify({ slug: 'x1', name: 'X', permissions: ['root'] }) },
      422,
    ],
    [
      'role with unknown field',
      `/organizations/{A}/roles`,
      { method: 'POST', body: JSON.stringify({ slug: 'x2', name: 'X', permissions: [], superuser: true }) },
      422,
    ],
    [
      'role slug oversized',
      `/organizations/{A}/roles`,
      { method: 'POST', body: JSON.stringify({ slug: 'a'.repeat(300), name: 'X', permissions: [] }) },
      422,
    ],
    [
      'role wrong types',
      `/organizations/{A}/roles`,
      { method: 'POST', body: JSON.stringify({ slug: 5, name: [], permissions: 'all' }) },
      422,
    ],
    ['role malformed JSON', `/organizations/{A}/roles`, { method: 'POST', body: '{"slug":' }, 400],
    ['empty patch', `/organizations/{A}/roles/ops`, { method: 'PATCH', body: '{}' }, 422],
  ];
  for (const [name, path, init, status] of badInputs) {
    it(`bad input: ${name} → ${status} with a code, nothing written`, async () => {
      const before = await inTenant(store.db, orgA, (tx) =>
        tx.selectFrom('organization_roles').select('slug').execute(),
      );
      const res = await as('adminA', path.replace('{A}', orgA), init);
      assert.equal(res.status, status);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.match((await res.json()).code, /^REQUEST_/);
      const afterRows = await inTenant(store.db, orgA, (tx) =>
        tx.selectFrom('organization_roles').select('slug').execute(),
      );
      assert.deepEqual(afterRows, before);
    });
  }
});
