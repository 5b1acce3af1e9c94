// An identity provider pushes over many connections at once. Creates of different people run side
// by side (the organization's lock shared), so these races are checked on every engine:
//   - the same person pushed from several clients at once is created exactly once (one 201, the
//     rest 409 uniqueness), with one mirror row and one audit entry;
//   - creates racing with deactivations of people created a moment earlier, and with a group push
//     naming them: every deactivation lands (never dropped as stale behind a create's version),
//     a deactivated person has no live session, and the group holds exactly the people pushed;
//   - creates that arrive together (and so commit together, src/scim/user-create.ts) leave the
//     mirror, the memberships and the audit trail as each create alone would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asSystem } from '../../src/store/tenant.ts';
import { testEngines } from '../support/stores.ts';
import { GROUP, startScimWorld, USER, type ScimWorld } from './support.ts';

const CLIENTS = 8;

function person(userName: string) {
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Race', familyName: 'Test' },
    emails: [{ primary: true, value: userName.toLowerCase(), type: 'work' }],
    active: true,
  };
}

for (const engine of testEngines())
  describe(`SCIM writes racing each other (${engine.name})`, () => {
    let w: ScimWorld;
    let acme: string;
    before(async () => {
      w = await startScimWorld(engine);
      acme = w.world.orgs.acme;
      await w.verifyDomain(acme, 'acme.test');
    });
    after(() => w?.close());

    const usersNamed = (directoryId: string, email: string) =>
      asSystem(w.world.gatehouse.store.db, 'test read', async (tx) => ({
        scim: await tx
          .selectFrom('scim_users')
          .select('id')
          .where('directory_id', '=', directoryId)
          .where((eb) => eb(eb.fn('lower', ['user_name']), '=', email))
          .execute(),
        mirror: await tx
          .selectFrom('directory_users')
          .select('id')
          .where('directory_id', '=', directoryId)
          .where('email', '=', email)
          .execute(),
      }));

    it('creates the same person pushed from several clients at once exactly once', async () => {
      const dir = await w.createDirectory(acme, 'Okta race');
      const clients = Array.from({ length: CLIENTS }, () => w.scim(dir.token));
      const seq = await w.auditHead(acme);
      // Different letter cases of one userName: the uniqueness rule is case-insensitive.
      const answers = await Promise.all(
        clients.map((scim, i) => scim.post('/Users', person(i % 2 ? 'Twin@acme.test' : 'twin@ACME.test'))),
      );
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, ...Array(CLIENTS - 1).fill(409)], JSON.stringify(answers.map((a) => a.body)));
      for (const a of answers.filter((x) => x.status === 409)) assert.equal(a.body.scimType, 'uniqueness');
      const stored = await usersNamed(dir.id, 'twin@acme.test');
      assert.equal(stored.scim.length, 1);
      assert.equal(stored.mirror.length, 1);
      const created = (await w.auditSince(acme, seq)).filter((e) => e.type === 'directory.user_created');
      assert.equal(created.length, 1, 'one audit entry for the one person created');
    });

    it('lands every deactivation and group push that races with creates', async () => {
      const dir = await w.createDirectory(acme, 'Entra race');
      const scim = w.scim(dir.token);
      const bob = w.world.members.bob;
      assert.equal(await w.sessionWorks(bob.cookie), true);
      const group = await scim.post('/Groups', { schemas: [GROUP], displayName: 'Racers', members: [] });
      assert.equal(group.status, 201);
      const names = ['bob@acme.test', ...Array.from({ length: 2 * CLIENTS }, (_, i) => `racer${i}@acme.test`)];
      // Each client creates its people and deactivates and groups each one right away, while the
      // others are still creating: the writes of one person interleave with creates of the rest.
      const ids = new Map<string, string>();
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          const client = w.scim(dir.token);
          for (let i = c; i < names.length; i += CLIENTS) {
            const name = names[i]!;
            const created = await client.post('/Users', person(name));
            assert.equal(created.status, 201, JSON.stringify(created.body));
            ids.set(name, created.body.id);
            const added = await client.patch(`/Groups/${group.body.id}`, [
              { op: 'add', path: 'members', value: [{ value: created.body.id }] },
            ]);
            assert.ok([200, 204].includes(added.status), JSON.stringify(added.body));
            const off = await client.patch(`/Users/${created.body.id}`, [
              { op: 'replace', path: 'active', value: false },
            ]);
            assert.equal(off.status, 200, JSON.stringify(off.body));
          }
        }),
      );
      for (const [name, id] of ids) {
        const du = await w.directoryUser(id);
        assert.equal(du?.state, 'inactive', `${name}: the deactivation after its create landed`);
      }
      assert.equal((await w.directoryUser(ids.get('bob@acme.test')!))?.user_id, bob.userId);
      assert.equal((await w.membership(acme, bob.userId))?.status, 'inactive');
      assert.equal(await w.liveSessions(acme, bob.userId), 0, 'a deactivated person has no live session');
      assert.equal(await w.sessionWorks(bob.cookie), false);
      const members = await asSystem(w.world.gatehouse.store.db, 'test read', (tx) =>
        tx
          .selectFrom('directory_group_members')
          .select('directory_user_id')
          .where('group_id', '=', group.body.id)
          .where('present', '=', true)
          .execute(),
      );
      assert.deepEqual(members.map((m) => m.directory_user_id).sort(), [...ids.values()].sort());
    });

    it('gives creates pushed together the mirror, access and audit trail each would get alone', async () => {
      const dir = await w.createDirectory(acme, 'Okta push');
      const known = new Map<string, string>();
      for (const email of ['known0@acme.test', 'known1@acme.test', 'known2@acme.test'])
        known.set(email, await w.createUser(email));
      const seq = await w.auditHead(acme);
      // The first wave links no one (the mirror's set-based path takes it whole); the second has
      // people a directory user links to (the handlers apply it, provisioning them).
      const waves = [
        [
          ...Array.from({ length: 12 }, (_, i) => `push${i}@acme.test`),
          'PUSH3@acme.test', // the same person as push3, in another case: one of the two is a 409
          'outsider@elsewhere.test',
        ],
        [...known.keys(), ...Array.from({ length: 5 }, (_, i) => `late${i}@acme.test`)],
      ];
      const clients = Array.from({ length: CLIENTS }, () => w.scim(dir.token));
      const names = waves.flat();
      const answers = [];
      for (const wave of waves)
        answers.push(...(await Promise.all(wave.map((n, i) => clients[i % CLIENTS]!.post('/Users', person(n))))));
      const twins = answers.filter((_, i) => names[i]!.toLowerCase() === 'push3@acme.test').map((a) => a.status);
      assert.deepEqual(twins.sort(), [201, 409]);
      const created = new Map<string, string>();
      for (const [i, a] of answers.entries()) {
        if (names[i]!.toLowerCase() === 'push3@acme.test' && a.status === 409) continue;
        assert.equal(a.status, 201, `${names[i]}: ${JSON.stringify(a.body)}`);
        created.set(a.body.id, names[i]!.toLowerCase());
      }
      for (const [id, email] of created) {
        const du = await w.directoryUser(id);
        assert.equal(du?.state, 'active', email);
        assert.equal(du?.email, email);
        assert.equal(du?.user_id ?? null, known.get(email) ?? null, `${email}: linked only when linkable`);
      }
      for (const userId of known.values())
        assert.deepEqual(await w.membership(acme, userId), {
          status: 'active',
          role_slug: 'member',
          source: 'directory',
        });
      const entries = await w.auditSince(acme, seq);
      const createdEntries = entries.filter((e) => e.type === 'directory.user_created');
      assert.deepEqual(createdEntries.map((e) => e.target_id).sort(), [...created.keys()].sort());
      for (const e of createdEntries) assert.deepEqual([e.actor_type, e.actor_id], ['directory', dir.id]);
      const provisioned = entries.filter((e) => e.type === 'directory.user_provisioned');
      assert.deepEqual(provisioned.map((e) => e.target_id).sort(), [...known.values()].sort());
    });

    it('fails a create the store cannot take alone, not the others pushed with it', async () => {
      const dir = await w.createDirectory(acme, 'Okta fault');
      const seq = await w.auditHead(acme);
      // PostgreSQL's jsonb cannot hold U+0000: this create's insert fails in the store, a real fault.
      const bad = { ...person('nul@acme.test'), name: { givenName: 'N\u0000L', familyName: 'Test' } };
      const names = Array.from({ length: 9 }, (_, i) => `fine${i}@acme.test`);
      const clients = Array.from({ length: CLIENTS }, () => w.scim(dir.token));
      // The first create to arrive is written alone; the bad one arrives among those that queue behind
      // it and so is in their group.
      const sent = names.map((n, i) => clients[i % CLIENTS]!.post('/Users', person(n)));
      sent.splice(4, 0, clients[CLIENTS - 1]!.post('/Users', bad));
      const all = await Promise.all(sent);
      const badAnswer = all[4];
      const answers = all.filter((_, i) => i !== 4);
      assert.notEqual(badAnswer!.status, 201);
      assert.deepEqual(
        answers.map((a) => a.status),
        names.map(() => 201),
      );
      assert.deepEqual((await usersNamed(dir.id, 'nul@acme.test')).mirror, [], 'nothing of the failed create stays');
      const created = (await w.auditSince(acme, seq)).filter((e) => e.type === 'directory.user_created');
      assert.deepEqual(created.map((e) => e.target_id).sort(), answers.map((a) => a.body.id).sort());
    });
  });
