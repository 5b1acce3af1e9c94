// Isolation as a table: directory A's token against every route, aimed at the users and groups of
// directory B (another organization's, and a second directory of A's own organization). Nothing
// of B may be read, listed, found by filter, changed, deleted or pulled into A's groups; B's
// resources are read back through B's own token at the end, unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/stores.ts';
import { createScimDirectory } from '../../src/scim/directories.ts';
import { GROUP, startScimWorld, USER, type ScimWorld } from './support.ts';

for (const engine of testEngines())
  describe(`a SCIM token reaches only its own directory (${engine.name})`, () => {
    let w: ScimWorld;
    before(async () => {
      w = await startScimWorld(engine);
    });
    after(() => w?.close());

    it('answers 404 or an empty list for every route aimed at another directory', async () => {
      const { acme, globex } = w.world.orgs;
      const a = await w.createDirectory(acme, 'A');
      const sameOrg = await w.createDirectory(acme, 'B in the same organization');
      const otherOrg = await createScimDirectory(
        { db: w.world.gatehouse.store.db, access: { revoke: async () => undefined } },
        { organizationId: globex, name: 'B in another organization', actor: { type: 'system', id: null } },
      );
      const A = w.scim(a.token);
      const aUser = (await A.post('/Users', { schemas: [USER], userName: 'a1@acme.test' })).body.id as string;
      const aGroup = (await A.post('/Groups', { schemas: [GROUP], displayName: 'A team' })).body.id as string;

      let tried = 0;
      let leaked = 0;
      const failures: string[] = [];
      const expectMiss = (label: string, res: { status: number; body: any }, okIfEmpty = false) => {
        tried++;
        const empty = res.status === 200 && res.body?.totalResults === 0;
        const refused = res.status === 404 || res.status === 400 || res.status === 409;
        if (!(refused || (okIfEmpty && empty)) || JSON.stringify(res.body ?? '').includes('"b-secret')) {
          leaked++;
          failures.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      };

      for (const [name, b] of [
        ['same organization', { token: sameOrg.token }],
        ['other organization', { token: otherOrg.token }],
      ] as const) {
        const B = w.scim(b.token);
        const bUser = await B.post('/Users', {
          schemas: [USER],
          userName: `b-secret-${name.replace(/ /g, '-')}@acme.test`,
          externalId: `b-secret-ext-${name}`,
        });
        assert.equal(bUser.status, 201);
        const bGroup = await B.post('/Groups', { schemas: [GROUP], displayName: `b-secret-group ${name}` });
        const u = bUser.body.id as string;
        const g = bGroup.body.id as string;
        const userName = bUser.body.userName as string;
        const q = (f: string) => encodeURIComponent(f);
        const search = (filter: string) => ({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
          filter,
        });

        expectMiss(`${name} GET user`, await A.get(`/Users/${u}`));
        expectMiss(`${name} GET group`, await A.get(`/Groups/${g}`));
        expectMiss(`${name} PUT user`, await A.put(`/Users/${u}`, { schemas: [USER], userName: 'x@acme.test' }));
        expectMiss(`${name} PUT group`, await A.put(`/Groups/${g}`, { schemas: [GROUP], displayName: 'x' }));
        expectMiss(
          `${name} PATCH user`,
          await A.patch(`/Users/${u}`, [{ op: 'replace', path: 'active', value: false }]),
        );
        expectMiss(
          `${name} PATCH group`,
          await A.patch(`/Groups/${g}`, [{ op: 'replace', path: 'displayName', value: 'x' }]),
        );
        expectMiss(`${name} DELETE user`, await A.delete(`/Users/${u}`));
        expectMiss(`${name} DELETE group`, await A.delete(`/Groups/${g}`));
        expectMiss(`${name} filter id`, await A.get(`/Users?filter=${q(`id eq "${u}"`)}`), true);
        expectMiss(`${name} filter userName`, await A.get(`/Users?filter=${q(`userName eq "${userName}"`)}`), true);
        expectMiss(`${name} filter externalId`, await A.get(`/Users?filter=${q(`externalId sw "b-secret"`)}`), true);
        expectMiss(`${name} filter co`, await A.get(`/Users?filter=${q('userName co "b-secret"')}`), true);
        expectMiss(`${name} filter group id`, await A.get(`/Groups?filter=${q(`id eq "${g}"`)}`), true);
        expectMiss(`${name} filter group name`, await A.get(`/Groups?filter=${q('displayName sw "b-secret"')}`), true);
        expectMiss(`${name} users .search`, await A.post('/Users/.search', search(`id eq "${u}"`)), true);
        expectMiss(`${name} groups .search`, await A.post('/Groups/.search', search(`id eq "${g}"`)), true);
        expectMiss(`${name} filter members`, await A.get(`/Groups?filter=${q(`members.value eq "${u}"`)}`), true);
        expectMiss(
          `${name} create group with B's member`,
          await A.post('/Groups', { schemas: [GROUP], displayName: `with ${name}`, members: [{ value: u }] }),
        );
        expectMiss(
          `${name} add B's user to A's group`,
          await A.patch(`/Groups/${aGroup}`, [{ op: 'add', path: 'members', value: [{ value: u }] }]),
        );
        expectMiss(
          `${name} PUT A's group with B's member`,
          await A.put(`/Groups/${aGroup}`, { schemas: [GROUP], displayName: 'A team', members: [{ value: u }] }),
        );

        // B's resources, through B, are exactly as created.
        const after = await B.get(`/Users/${u}`);
        assert.equal(after.status, 200);
        assert.equal(after.body.meta.version, bUser.body.meta.version);
        assert.equal(after.body.active, true);
        const afterGroup = await B.get(`/Groups/${g}`);
        assert.equal(afterGroup.body.meta.version, bGroup.body.meta.version);
        assert.deepEqual(afterGroup.body.members, []);
      }
      // A's own listing holds A's resources only.
      const mine = await A.get('/Users');
      assert.deepEqual(
        mine.body.Resources.map((r: { id: string }) => r.id),
        [aUser],
      );
      console.log(`tried ${tried} leaked ${leaked}`);
      assert.deepEqual(failures, []);
      assert.equal(leaked, 0);
    });
  });
