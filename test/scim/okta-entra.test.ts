// Okta's and Entra's provisioning traffic, replayed over HTTP against a started Gatehouse, with
// the mirror, the person's membership, role and sessions, and the audit trail checked after every
// step: a SCIM directory served by Gatehouse has the semantics of one served through WorkOS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../support/stores.ts';
import { ENTERPRISE, GROUP, startScimWorld, USER, type ScimWorld } from './support.ts';

for (const engine of testEngines())
  describe(`SCIM provisioning as Okta and Entra send it (${engine.name})`, () => {
    let w: ScimWorld;
    let acme: string;
    before(async () => {
      w = await startScimWorld(engine);
      acme = w.world.orgs.acme;
      await w.verifyDomain(acme, 'acme.test');
    });
    after(() => w?.close());

    /** The audit entries written since `seq`, as `type@actor_type`. */
    const auditSince = async (seq: number) => (await w.auditSince(acme, seq)).map((e) => `${e.type}@${e.actor_type}`);

    it('Okta: lookup, create, PUT, group push with a role mapping, deactivate, reactivate, delete', async () => {
      const dir = await w.createDirectory(acme, 'Okta');
      assert.match(dir.baseUrl, /\/scim\/v2$/);
      const scim = w.scim(dir.token);
      const bob = w.world.members.bob;
      assert.equal(await w.sessionWorks(bob.cookie), true);

      const lookup = await scim.get('/Users?filter=userName%20eq%20%22bob%40acme.test%22&startIndex=1&count=100');
      assert.equal(lookup.status, 200);
      assert.equal(lookup.headers.get('content-type'), 'application/scim+json');
      assert.equal(lookup.body.totalResults, 0);

      let seq = await w.auditHead(acme);
      const created = await scim.post('/Users', {
        schemas: [USER],
        userName: 'bob@acme.test',
        externalId: '00u1okta',
        name: { givenName: 'Bob', familyName: 'Brown' },
        emails: [{ primary: true, value: 'bob@acme.test', type: 'work' }],
        password: 'Sup3r-secret!',
        active: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.password, undefined, 'a pushed password is never stored or echoed');
      assert.match(created.headers.get('etag') ?? '', /^W\/"1"$/);
      assert.equal(created.headers.get('location'), `${dir.baseUrl}/Users/${created.body.id}`);
      const userId: string = created.body.id;
      let du = await w.directoryUser(userId);
      assert.equal(du?.state, 'active');
      assert.equal(du?.user_id, bob.userId, 'linked to the member with that email on a verified domain');
      assert.deepEqual(await auditSince(seq), ['directory.user_created@directory']);
      assert.equal((await w.auditSince(acme, seq))[0]?.actor_id, dir.id, 'the directory is the actor');

      const again = await scim.post('/Users', { schemas: [USER], userName: 'BOB@acme.test' });
      assert.equal(again.status, 409);
      assert.equal(again.body.scimType, 'uniqueness');

      const put = await scim.put(`/Users/${userId}`, {
        ...created.body,
        name: { givenName: 'Bob', familyName: 'Braun' },
      });
      assert.equal(put.status, 200);
      assert.equal(put.body.meta.version, 'W/"2"');
      assert.equal((await w.directoryUser(userId))?.last_name, 'Braun');

      const group = await scim.post('/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [] });
      assert.equal(group.status, 201);
      const groupId: string = group.body.id;
      const mapped = await w.api('PUT', `/organizations/${acme}/directory-groups/${groupId}/role-mapping`, {
        role: 'admin',
        priority: 1,
      });
      assert.equal(mapped.status, 204, JSON.stringify(mapped.body));

      seq = await w.auditHead(acme);
      const add = await scim.patch(`/Groups/${groupId}`, [
        { op: 'add', path: 'members', value: [{ value: userId, display: 'bob@acme.test' }] },
      ]);
      assert.equal(add.status, 200, JSON.stringify(add.body));
      assert.deepEqual(
        add.body.members.map((m: { value: string }) => m.value),
        [userId],
      );
      assert.equal((await w.membership(acme, bob.userId))?.role_slug, 'admin', 'group-to-role mapping applied');
      assert.deepEqual(await auditSince(seq), [
        'directory.group_user_added@directory',
        'directory.role_changed@directory',
      ]);

      const remove = await scim.patch(`/Groups/${groupId}`, [{ op: 'remove', path: `members[value eq "${userId}"]` }]);
      assert.equal(remove.status, 200);
      assert.deepEqual(remove.body.members, []);
      assert.equal((await w.membership(acme, bob.userId))?.role_slug, 'member', 'the mapping gives the role back');

      const rename = await scim.patch(`/Groups/${groupId}`, [
        { op: 'replace', value: { id: groupId, displayName: 'Platform Engineering' } },
      ]);
      assert.equal(rename.body.displayName, 'Platform Engineering');

      seq = await w.auditHead(acme);
      const deactivate = await scim.patch(`/Users/${userId}`, [{ op: 'replace', value: { active: false } }]);
      assert.equal(deactivate.status, 200);
      assert.equal(deactivate.body.active, false);
      assert.equal((await w.directoryUser(userId))?.state, 'inactive');
      assert.equal((await w.membership(acme, bob.userId))?.status, 'inactive');
      assert.equal(await w.sessionWorks(bob.cookie), false, 'deprovisioning refuses the session at once');
      assert.equal(await w.liveSessions(acme, bob.userId), 0, 'and marks every session revoked');
      // Session ends name the event that caused them, as for a WorkOS event.
      assert.deepEqual(await auditSince(seq), [
        'directory.user_updated@directory',
        'directory.user_deprovisioned@directory',
        'session.revoked@provider_event',
      ]);

      const reactivate = await scim.patch(`/Users/${userId}`, [{ op: 'replace', path: 'active', value: true }]);
      assert.equal(reactivate.body.active, true);
      assert.equal((await w.membership(acme, bob.userId))?.status, 'active');

      assert.equal((await scim.delete(`/Groups/${groupId}`)).status, 204);
      seq = await w.auditHead(acme);
      assert.equal((await scim.delete(`/Users/${userId}`)).status, 204);
      assert.equal((await scim.get(`/Users/${userId}`)).status, 404);
      du = await w.directoryUser(userId);
      assert.ok(du?.deleted_at, 'the mirror keeps a tombstone');
      assert.equal((await w.membership(acme, bob.userId))?.status, 'inactive');
      assert.deepEqual(await auditSince(seq), [
        'directory.user_deleted@directory',
        'directory.user_deprovisioned@directory',
      ]);
    });

    it('Entra: string booleans, URN paths, path-less value objects, bulk members, "False", delete', async () => {
      const dir = await w.createDirectory(acme, 'Entra');
      const scim = w.scim(dir.token);
      const danId = await w.createUser('dan@acme.test');
      const eveId = await w.createUser('eve@acme.test');
      const outsider = await w.createUser('mallory@elsewhere.test');

      const probe = await scim.get('/Users?filter=userName+eq+%22dan%40acme.test%22');
      assert.equal(probe.body.totalResults, 0);
      const created = await scim.post('/Users', {
        schemas: [USER, ENTERPRISE],
        externalId: '3f9c1a2e-entra',
        userName: 'dan@acme.test',
        active: 'True',
        displayName: 'Dan Diaz',
        title: 'Engineer',
        emails: [{ primary: true, type: 'work', value: 'dan@acme.test' }],
        name: { formatted: 'Dan Diaz', familyName: 'Diaz', givenName: 'Dan' },
        [ENTERPRISE]: { department: 'R&D', employeeNumber: '1042' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const dan: string = created.body.id;
      assert.deepEqual(await w.membership(acme, danId), { status: 'active', role_slug: 'member', source: 'directory' });

      const eve = (await scim.post('/Users', { schemas: [USER], userName: 'eve@acme.test', active: true })).body.id;
      assert.equal((await w.membership(acme, eveId))?.status, 'active');
      const mallory = await scim.post('/Users', { schemas: [USER], userName: 'mallory@elsewhere.test' });
      assert.equal(mallory.status, 201);
      assert.equal((await w.directoryUser(mallory.body.id))?.user_id, null, 'never linked off the verified domains');
      assert.equal(await w.membership(acme, outsider), undefined);

      const attrs = await scim.patch(`/Users/${dan}`, [
        { op: 'Replace', path: 'title', value: 'Staff Engineer' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Platform' },
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mgr-7f3a' },
      ]);
      assert.equal(attrs.status, 200, JSON.stringify(attrs.body));
      assert.equal(attrs.body[ENTERPRISE].department, 'Platform');
      const byDept = await scim.get(`/Users?filter=${encodeURIComponent(`${ENTERPRISE}:department eq "Platform"`)}`);
      assert.deepEqual(
        byDept.body.Resources.map((r: { id: string }) => r.id),
        [dan],
      );

      const pathless = await scim.patch(`/Users/${dan}`, [
        { op: 'Replace', value: { 'name.givenName': 'Daniel', 'emails[type eq "work"].value': 'daniel@acme.test' } },
      ]);
      assert.equal(pathless.status, 200, JSON.stringify(pathless.body));
      assert.equal(pathless.body.emails[0].value, 'daniel@acme.test');
      assert.equal((await w.directoryUser(dan))?.first_name, 'Daniel');

      const group = await scim.post('/Groups', {
        schemas: [GROUP],
        externalId: 'a1b2',
        displayName: 'Sales',
        members: [],
      });
      const groupId: string = group.body.id;
      const bulk = await scim.patch(`/Groups/${groupId}`, [
        { op: 'Add', path: 'members', value: [{ value: dan }, { value: eve }, { value: mallory.body.id }] },
      ]);
      assert.equal(bulk.status, 200);
      assert.equal(bulk.body.members.length, 3);
      const minimal = await scim.patch(`/Groups/${groupId}?excludedAttributes=members`, [
        { op: 'Remove', path: 'members', value: [{ value: eve }, { value: mallory.body.id }] },
      ]);
      assert.equal(minimal.status, 204);
      assert.deepEqual(
        (await scim.get(`/Groups/${groupId}`)).body.members.map((m: { value: string }) => m.value),
        [dan],
      );
      const unknownMember = await scim.patch(`/Groups/${groupId}`, [
        { op: 'Add', path: 'members', value: [{ value: eve }, { value: 'directory_user_nope' }] },
      ]);
      assert.equal(unknownMember.status, 400);
      assert.equal(unknownMember.body.scimType, 'invalidValue');
      assert.equal((await scim.get(`/Groups/${groupId}`)).body.members.length, 1, 'a failed write changes nothing');

      const seq = await w.auditHead(acme);
      const disable = await scim.patch(`/Users/${dan}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
      assert.equal(disable.status, 200, JSON.stringify(disable.body));
      assert.equal(disable.body.active, false);
      assert.equal((await w.membership(acme, danId))?.status, 'inactive');
      assert.deepEqual(await auditSince(seq), [
        'directory.user_updated@directory',
        'directory.user_deprovisioned@directory',
      ]);

      assert.equal((await scim.delete(`/Users/${dan}`)).status, 204);
      assert.equal((await scim.delete(`/Groups/${groupId}`)).status, 204);
      assert.equal((await scim.get(`/Groups/${groupId}`)).status, 404);
    });
  });
