// Generated SCIM operation sequences against a started Gatehouse, with the mirror compared to a
// model after every step. The rules checked:
//   - the mirror holds what the SCIM client was told: each user's state and tombstone, each
//     group's present members;
//   - a person whose directory user is inactive or deleted has an inactive membership and no live
//     session (sign-ins made before are refused); an active one has an active membership;
//   - an active person's role is the mapped role when they are in a mapped group, else the default.
// Fixed seed (PROPERTY_SEED); PROPERTY_RUNS for longer runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/stores.ts';
import fc from 'fast-check';
import { asSystem } from '../../src/store/tenant.ts';
import type { Member } from '../support/app-world.ts';
import { GROUP, startScimWorld, USER, type ScimWorld } from './support.ts';

type Op =
  | { kind: 'create'; person: number }
  | { kind: 'active'; user: number; value: boolean; entra: boolean }
  | { kind: 'rename'; user: number }
  | { kind: 'deleteUser'; user: number }
  | { kind: 'createGroup' }
  | { kind: 'members'; group: number; add: number[]; remove: number[] }
  | { kind: 'deleteGroup'; group: number }
  | { kind: 'map'; group: number }
  | { kind: 'signIn'; person: number };

const PEOPLE = 3;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), person: fc.nat(PEOPLE) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('active' as const),
      user: fc.nat(),
      value: fc.boolean(),
      entra: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), user: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteUser' as const), user: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('createGroup' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('members' as const),
      group: fc.nat(),
      add: fc.array(fc.nat(), { maxLength: 3 }),
      remove: fc.array(fc.nat(), { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteGroup' as const), group: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('map' as const), group: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('signIn' as const), person: fc.nat(PEOPLE - 1) }) },
);

interface ModelUser {
  id: string;
  person: number;
  active: boolean;
  deleted: boolean;
}
interface ModelGroup {
  id: string;
  members: Set<string>;
  deleted: boolean;
  mapped: boolean;
}

for (const engine of testEngines())
  describe(`SCIM operation sequences keep the mirror equal to the model (${engine.name})`, () => {
    let w: ScimWorld;
    before(async () => {
      w = await startScimWorld(engine);
      await w.verifyDomain(w.world.orgs.acme, 'acme.test');
    });
    after(() => w?.close());

    it('after every step: mirror == model, deprovisioned people have no live session, roles follow mappings', async () => {
      const acme = w.world.orgs.acme;
      const db = w.world.gatehouse.store.db;
      let run = 0;
      const runs = Number(process.env.PROPERTY_RUNS ?? 4);
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 12 }), async (ops) => {
          run++;
          const dir = await w.createDirectory(acme, `Run ${run}`);
          const scim = w.scim(dir.token);
          // Person PEOPLE is off the verified domains: never linked, never provisioned.
          const emails = Array.from({ length: PEOPLE + 1 }, (_, i) =>
            i === PEOPLE ? `r${run}-outsider@elsewhere.test` : `r${run}-p${i}@acme.test`,
          );
          const personIds = await Promise.all(emails.map((e) => w.createUser(e)));
          const users: ModelUser[] = [];
          const groups: ModelGroup[] = [];
          const sessions: Member[][] = emails.map(() => []);
          const live = () => users.filter((u) => !u.deleted);
          const liveGroups = () => groups.filter((g) => !g.deleted);
          const pick = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);

          for (const op of ops) {
            switch (op.kind) {
              case 'create': {
                const taken = live().some((u) => u.person === op.person);
                const res = await scim.post('/Users', { schemas: [USER], userName: emails[op.person], active: true });
                if (taken) {
                  assert.equal(res.status, 409);
                  break;
                }
                assert.equal(res.status, 201, JSON.stringify(res.body));
                users.push({ id: res.body.id, person: op.person, active: true, deleted: false });
                break;
              }
              case 'active': {
                const u = pick(live(), op.user);
                if (!u) break;
                const value = op.entra ? (op.value ? 'True' : 'False') : op.value;
                const res = await scim.patch(`/Users/${u.id}`, [
                  { op: op.entra ? 'Replace' : 'replace', path: 'active', value },
                ]);
                assert.equal(res.status, 200, JSON.stringify(res.body));
                u.active = op.value;
                break;
              }
              case 'rename': {
                const u = pick(live(), op.user);
                if (!u) break;
                const res = await scim.patch(`/Users/${u.id}`, [
                  { op: 'replace', value: { 'name.familyName': `F${run}` } },
                ]);
                assert.equal(res.status, 200);
                break;
              }
              case 'deleteUser': {
                const u = pick(live(), op.user);
                if (!u) break;
                assert.equal((await scim.delete(`/Users/${u.id}`)).status, 204);
                u.deleted = true;
                for (const g of groups) g.members.delete(u.id);
                break;
              }
              case 'createGroup': {
                const res = await scim.post('/Groups', { schemas: [GROUP], displayName: `G${groups.length}` });
                assert.equal(res.status, 201);
                groups.push({ id: res.body.id, members: new Set(), deleted: false, mapped: false });
                break;
              }
              case 'members': {
                const g = pick(liveGroups(), op.group);
                if (!g) break;
                const add = [...new Set(op.add.map((i) => pick(live(), i)?.id).filter((x): x is string => !!x))];
                const remove = [...new Set(op.remove.map((i) => pick(live(), i)?.id).filter((x): x is string => !!x))];
                const ops_ = [
                  ...(add.length ? [{ op: 'Add', path: 'members', value: add.map((value) => ({ value })) }] : []),
                  ...remove.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
                ];
                if (!ops_.length) break;
                const res = await scim.patch(`/Groups/${g.id}`, ops_);
                assert.equal(res.status, 200, JSON.stringify(res.body));
                for (const id of add) g.members.add(id);
                for (const id of remove) g.members.delete(id);
                break;
              }
              case 'deleteGroup': {
                const g = pick(liveGroups(), op.group);
                if (!g) break;
                assert.equal((await scim.delete(`/Groups/${g.id}`)).status, 204);
                g.deleted = true;
                g.members.clear();
                break;
              }
              case 'map': {
                const g = pick(liveGroups(), op.group);
                if (!g || g.mapped) break;
                const res = await w.api('PUT', `/organizations/${acme}/directory-groups/${g.id}/role-mapping`, {
                  role: 'admin',
                });
                assert.equal(res.status, 204, JSON.stringify(res.body));
                g.mapped = true;
                break;
              }
              case 'signIn': {
                const m = await w.membership(acme, personIds[op.person]!);
                if (m?.status !== 'active') break;
                sessions[op.person]!.push(
                  await w.world.signIn(
                    { userId: personIds[op.person]!, organizationId: acme, cookie: '', sessionId: '' },
                    m.role_slug,
                  ),
                );
                break;
              }
            }
            await check();
          }

          async function check(): Promise<void> {
            const rows = await asSystem(db, 'test read', (tx) =>
              tx
                .selectFrom('directory_users')
                .select(['id', 'state', 'deleted_at', 'user_id'])
                .where('directory_id', '=', dir.id)
                .execute(),
            );
            const byId = new Map(rows.map((r) => [r.id, r]));
            for (const u of users) {
              const row = byId.get(u.id);
              assert.ok(row, `mirror has ${u.id}`);
              assert.equal(row.deleted_at !== null, u.deleted, `tombstone of ${u.id}`);
              assert.equal(row.state, u.active ? 'active' : 'inactive', `state of ${u.id}`);
              assert.equal(row.user_id, u.person === PEOPLE ? null : personIds[u.person], `link of ${u.id}`);
            }
            assert.equal(rows.length, users.length);
            const members = await asSystem(db, 'test read', (tx) =>
              tx
                .selectFrom('directory_group_members')
                .select(['group_id', 'directory_user_id'])
                .where('directory_id', '=', dir.id)
                .where('present', '=', true)
                .execute(),
            );
            for (const g of groups) {
              const inMirror = members
                .filter((m) => m.group_id === g.id)
                .map((m) => m.directory_user_id)
                .sort();
              assert.deepEqual(inMirror, [...g.members].sort(), `members of ${g.id}`);
            }
            for (let p = 0; p < PEOPLE; p++) {
              const mine = users.filter((u) => u.person === p);
              if (mine.length === 0) continue;
              const current = mine.find((u) => !u.deleted);
              const active = current?.active === true;
              const m = await w.membership(acme, personIds[p]!);
              assert.equal(m?.status, active ? 'active' : 'inactive', `membership of person ${p}`);
              if (!active) {
                assert.equal(await w.liveSessions(acme, personIds[p]!), 0, `no live session for person ${p}`);
                const last = sessions[p]!.at(-1);
                if (last) assert.equal(await w.sessionWorks(last.cookie), false, `session of person ${p} refused`);
              } else {
                const mapped = groups.some((g) => !g.deleted && g.mapped && g.members.has(current!.id));
                assert.equal(m?.role_slug, mapped ? 'admin' : 'member', `role of person ${p}`);
              }
            }
            assert.equal(await w.membership(acme, personIds[PEOPLE]!), undefined, 'outsider never provisioned');
          }
        }),
        { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261130), endOnFailure: true },
      );
    });
  });
