// Without WorkOS an admin's member changes are written to the store, and revocation is immediate
// (DESIGN.md §3.4), as a property over generated operation sequences through the real composition
// root (AUTH_PROVIDER=local) and its /api/v1: sign-ins, personal API keys, role changes,
// deactivation, reactivation and removal of three members. After every step, through the next
// request: each credential is accepted exactly when its member is active and nothing ended it
// (reactivation restores the membership, not the credentials deactivation ended), a session
// carries the member's current role, and a removed member is gone (404 to further changes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createApiKey } from '../../access/api-keys.ts';
import { inTenant } from '../../store/tenant.ts';
import { startAppWorld, type AppWorld } from '../../../test/support/app-world.ts';
import { openPgliteTestStore } from '../../../test/support/stores.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 5);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);

type Op =
  | { kind: 'signIn' | 'key' | 'deactivate' | 'reactivate' | 'remove'; who: number }
  | { kind: 'role'; who: number; role: 'admin' | 'member' };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('signIn' as const, 'key' as const, 'deactivate' as const, 'reactivate' as const),
    who: fc.nat(2),
  }),
  fc.record({ kind: fc.constant('remove' as const), who: fc.nat(2) }),
  fc.record({ kind: fc.constant('role' as const), who: fc.nat(2), role: fc.constantFrom('admin', 'member') }),
);

interface Member {
  userId: string;
  status: 'active' | 'inactive' | 'removed';
  role: 'admin' | 'member';
  creds: Array<{ kind: 'session' | 'key'; secret: string; alive: boolean }>;
}

describe('member changes without WorkOS (AUTH_PROVIDER=local)', () => {
  let world: AppWorld;
  before(async () => {
    world = await startAppWorld({ provider: 'local', openStore: openPgliteTestStore });
  });
  after(() => world?.close());

  const send = (
    path: string,
    init: { method?: string; body?: unknown; cookie?: string; key?: string; source?: string } = {},
  ) =>
    world.gatehouse.app.request(
      `http://127.0.0.1${path}`,
      {
        method: init.method ?? 'GET',
        headers: {
          accept: 'application/json',
          origin: 'http://127.0.0.1',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.cookie ? { cookie: `gatehouse_session=${init.cookie}` } : {}),
          ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      },
      // The TCP peer the client-address middleware reads, as a Node socket would give it.
      { incoming: { socket: { remoteAddress: init.source ?? '127.0.0.1' } } },
    );

  it('every credential of a changed member obeys the change on the very next request', async () => {
    const acme = world.orgs.acme;
    const admin = world.members.ada.cookie;
    let run = 0;
    // Each check comes from its own client address: re-checking ended keys must not spend one
    // address's failed-key budget, or a 429 from the limiter would decide later steps, not the rule.
    let sources = 0;
    const nextSource = () => `10.${(++sources >> 16) & 255}.${(sources >> 8) & 255}.${sources & 255}`;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 12 }), async (ops) => {
        run++;
        const members: Member[] = [];
        for (let i = 0; i < 3; i++)
          members.push({
            userId: await world.join(acme, `p${run}-${i}@acme.test`, 'member'),
            status: 'active',
            role: 'member',
            creds: [],
          });
        for (const step of ops) {
          const m = members[step.who]!;
          const path = `/api/v1/organizations/${acme}/members/om_${m.userId.slice(-20)}`;
          if (step.kind === 'signIn' && m.status === 'active') {
            const s = await inTenant(world.gatehouse.store.db, acme, (tx) =>
              world.gatehouse.access.sessions!.create(tx, {
                organizationId: acme,
                userId: m.userId,
                authMethod: 'email_code',
                role: m.role,
              }),
            );
            m.creds.push({ kind: 'session', secret: s.cookieValue, alive: true });
          } else if (step.kind === 'key' && m.status === 'active') {
            const { secret } = await inTenant(world.gatehouse.store.db, acme, (tx) =>
              createApiKey(tx, {
                catalogue: world.gatehouse.permissions,
                creator: {
                  principal: { type: 'user', userId: m.userId },
                  organizationId: acme,
                  role: 'admin',
                  permissions: world.gatehouse.permissions.all,
                  authMethod: 'session',
                  isSuperAdmin: false,
                },
                name: 'mine',
                role: 'member',
                ownership: 'personal',
              }),
            );
            m.creds.push({ kind: 'key', secret, alive: true });
          } else if (step.kind === 'role') {
            const res = await send(path, { method: 'PATCH', body: { role: step.role }, cookie: admin });
            assert.equal(res.status, m.status === 'removed' ? 404 : 200, await res.text());
            if (m.status !== 'removed') m.role = step.role;
          } else if (step.kind === 'deactivate' || step.kind === 'reactivate') {
            const res = await send(`${path}/${step.kind}`, { method: 'POST', cookie: admin });
            assert.equal(res.status, m.status === 'removed' ? 404 : 200, await res.text());
            if (m.status === 'removed') continue;
            if (step.kind === 'deactivate') for (const c of m.creds) c.alive = false;
            m.status = step.kind === 'deactivate' ? 'inactive' : 'active';
          } else if (step.kind === 'remove') {
            const res = await send(path, { method: 'DELETE', cookie: admin });
            assert.equal(res.status, m.status === 'removed' ? 404 : 204, await res.text());
            for (const c of m.creds) c.alive = false;
            m.status = 'removed';
          }
          for (const member of members)
            for (const c of member.creds) {
              const res = await send(
                '/api/v1/me',
                c.kind === 'session'
                  ? { cookie: c.secret, source: nextSource() }
                  : { key: c.secret, source: nextSource() },
              );
              const accepted = c.alive && member.status === 'active';
              assert.equal(res.status, accepted ? 200 : 401, `${c.kind} of a ${member.status} member`);
              if (accepted && c.kind === 'session')
                assert.equal(((await res.json()) as { role: string }).role, member.role);
              else await res.body?.cancel();
            }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
