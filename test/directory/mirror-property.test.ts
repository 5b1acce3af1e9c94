// Property: whatever order and however often the events of a directory's history are delivered,
// the mirror ends equal to the model's final state. Histories are random (users and groups
// created, updated, deactivated, deleted; members added and removed; organization memberships
// created, re-roled, deactivated, deleted); deliveries are a random
// permutation of every event plus random duplicates. PGlite, one store, a fresh organization per run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { mirrorDirectoryState, recordingRevoker } from '../webhooks/support.ts';

type Cmd =
  | { op: 'createUser' | 'deleteUser'; u: number }
  | { op: 'updateUser'; u: number; active: boolean; name: string }
  | { op: 'createGroup' | 'deleteGroup'; g: number }
  | { op: 'renameGroup'; g: number; name: string }
  | { op: 'add' | 'remove'; u: number; g: number }
  | { op: 'createMember' | 'deleteMember'; m: number }
  | { op: 'updateMember'; m: number; role: string; active: boolean };

const U = 4;
const G = 2;
const M = 3;
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constantFrom('createUser' as const, 'deleteUser' as const), u: fc.nat(U - 1) }),
  fc.record({
    op: fc.constant('updateUser' as const),
    u: fc.nat(U - 1),
    active: fc.boolean(),
    name: fc.constantFrom('Ann', 'Bo', 'Cy'),
  }),
  fc.record({ op: fc.constantFrom('createGroup' as const, 'deleteGroup' as const), g: fc.nat(G - 1) }),
  fc.record({
    op: fc.constant('renameGroup' as const),
    g: fc.nat(G - 1),
    name: fc.constantFrom('eng', 'ops', 'sales'),
  }),
  fc.record({ op: fc.constantFrom('add' as const, 'remove' as const), u: fc.nat(U - 1), g: fc.nat(G - 1) }),
  fc.record({ op: fc.constantFrom('createMember' as const, 'deleteMember' as const), m: fc.nat(M - 1) }),
  fc.record({
    op: fc.constant('updateMember' as const),
    m: fc.nat(M - 1),
    role: fc.constantFrom('member', 'admin'),
    active: fc.boolean(),
  }),
);

interface Ev {
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
}

/** Runs the commands as WorkOS would, producing its events and the final state. */
function simulate(run: number, cmds: Cmd[]) {
  const org = `org_prop${run}`;
  const dir = `directory_prop${run}`;
  const users = new Map<number, { state: string; first_name: string } | 'deleted'>();
  const groups = new Map<number, { name: string } | 'deleted'>();
  const members = new Set<string>();
  const orgMembers = new Map<number, { role: string; status: string } | 'deleted'>();
  const events: Ev[] = [];
  const mid = (m: number) => `om_p${run}_${m}`;
  const memberWire = (m: number) => {
    const v = orgMembers.get(m) as { role: string; status: string };
    return {
      object: 'organization_membership',
      id: mid(m),
      user_id: `user_p${run}_${m}`,
      organization_id: org,
      status: v.status,
      role: { slug: v.role },
    };
  };
  const base = Date.UTC(2026, 0, 1) + run * 1_000_000;
  const uid = (u: number) => `directory_user_p${run}_${u}`;
  const gid = (g: number) => `directory_group_p${run}_${g}`;
  const userWire = (u: number) => {
    const s = users.get(u) as { state: string; first_name: string };
    return {
      object: 'directory_user',
      id: uid(u),
      directory_id: dir,
      organization_id: org,
      idp_id: `idp${u}`,
      email: `u${u}@p${run}.test`,
      first_name: s.first_name,
      last_name: 'L',
      state: s.state,
      emails: [],
      raw_attributes: {},
      custom_attributes: {},
    };
  };
  const groupWire = (g: number) => ({
    object: 'directory_group',
    id: gid(g),
    directory_id: dir,
    organization_id: org,
    idp_id: `g${g}`,
    name: (groups.get(g) as { name: string }).name,
    raw_attributes: {},
  });
  // Several events share a millisecond, as they do at WorkOS: the event id breaks the tie.
  const emit = (event: string, data: Record<string, unknown>) => {
    const n = events.length;
    events.push({
      id: `event_p${String(run).padStart(4, '0')}_${String(n).padStart(5, '0')}`,
      event,
      data,
      created_at: new Date(base + Math.floor(n / 3)).toISOString(),
    });
  };
  const live = <T>(m: Map<number, T | 'deleted'>, k: number) => m.has(k) && m.get(k) !== 'deleted';
  for (const c of cmds) {
    switch (c.op) {
      case 'createUser':
        if (users.has(c.u)) break;
        users.set(c.u, { state: 'active', first_name: 'New' });
        emit('dsync.user.created', userWire(c.u));
        break;
      case 'updateUser':
        if (!live(users, c.u)) break;
        users.set(c.u, { state: c.active ? 'active' : 'inactive', first_name: c.name });
        emit('dsync.user.updated', userWire(c.u));
        break;
      case 'deleteUser':
        if (!live(users, c.u)) break;
        emit('dsync.user.deleted', userWire(c.u));
        users.set(c.u, 'deleted');
        for (const g of [...Array(G).keys()]) members.delete(`${g}|${c.u}`);
        break;
      case 'createGroup':
        if (groups.has(c.g)) break;
        groups.set(c.g, { name: 'new' });
        emit('dsync.group.created', groupWire(c.g));
        break;
      case 'renameGroup':
        if (!live(groups, c.g)) break;
        groups.set(c.g, { name: c.name });
        emit('dsync.group.updated', groupWire(c.g));
        break;
      case 'deleteGroup':
        if (!live(groups, c.g)) break;
        emit('dsync.group.deleted', groupWire(c.g));
        groups.set(c.g, 'deleted');
        for (const u of [...Array(U).keys()]) members.delete(`${c.g}|${u}`);
        break;
      case 'createMember':
        if (orgMembers.has(c.m)) break;
        orgMembers.set(c.m, { role: 'member', status: 'active' });
        emit('organization_membership.created', memberWire(c.m));
        break;
      case 'updateMember':
        if (!live(orgMembers, c.m)) break;
        orgMembers.set(c.m, { role: c.role, status: c.active ? 'active' : 'inactive' });
        emit('organization_membership.updated', memberWire(c.m));
        break;
      case 'deleteMember':
        if (!live(orgMembers, c.m)) break;
        emit('organization_membership.deleted', memberWire(c.m));
        orgMembers.set(c.m, 'deleted');
        break;
      case 'add':
      case 'remove': {
        if (!live(users, c.u) || !live(groups, c.g)) break;
        const key = `${c.g}|${c.u}`;
        if ((c.op === 'add') === members.has(key)) break;
        if (c.op === 'add') members.add(key);
        else members.delete(key);
        emit(c.op === 'add' ? 'dsync.group.user_added' : 'dsync.group.user_removed', {
          directory_id: dir,
          user: userWire(c.u),
          group: groupWire(c.g),
        });
        break;
      }
    }
  }
  const expected = {
    users: [...users]
      .filter(([, s]) => s !== 'deleted')
      .map(([u, s]) => {
        const v = s as { state: string; first_name: string };
        return { id: uid(u), email: `u${u}@p${run}.test`, first_name: v.first_name, last_name: 'L', state: v.state };
      })
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    groups: [...groups]
      .filter(([, s]) => s !== 'deleted')
      .map(([g, s]) => ({ id: gid(g), name: (s as { name: string }).name }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    members: [...members]
      .map((k) => {
        const [g, u] = k.split('|');
        return `${gid(Number(g))}|${uid(Number(u))}`;
      })
      .sort(),
  };
  const expectedMemberships = [...orgMembers]
    .filter(([, v]) => v !== 'deleted')
    .map(([m, v]) => ({
      id: mid(m),
      role_slug: (v as { role: string }).role,
      status: (v as { status: string }).status,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return { org, events, expected, expectedMemberships };
}

describe('directory mirror under duplicated and reordered delivery (property)', () => {
  let store: Store;
  before(async () => {
    store = await openPgliteTestStore();
  });
  after(async () => store?.close());

  it('ends equal to the model for every random history and delivery order', async () => {
    let run = 0;
    const runs = Number(process.env.PROPERTY_RUNS ?? 40);
    await fc.assert(
      fc.asyncProperty(
        fc.array(cmd, { minLength: 5, maxLength: 50 }),
        fc.array(fc.nat(1000), { maxLength: 20 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 100, maxLength: 100 }),
        async (cmds, dupPicks, keys) => {
          const { org, events, expected, expectedMemberships } = simulate(run++, cmds);
          const deliveries = [...events, ...(events.length ? dupPicks.map((i) => events[i % events.length]!) : [])];
          const order = deliveries
            .map((e, i) => ({ e, k: keys[i % keys.length]! + i * 1e-9 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const access = recordingRevoker();
          for (const e of order) await ingestEvent({ db: store.db, access }, e, 'webhook');
          assert.deepEqual(await mirrorDirectoryState(store.db, org), expected);
          const memberships = await asSystem(store.db, 'test reads', (tx) =>
            tx
              .selectFrom('organization_memberships')
              .select(['id', 'role_slug', 'status'])
              .where('organization_id', '=', org)
              .where('deleted_at', 'is', null)
              .execute(),
          );
          assert.deepEqual(
            memberships.sort((a, b) => (a.id < b.id ? -1 : 1)),
            expectedMemberships,
          );
        },
      ),
      { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261122) },
    );
  });
});
