// Directory and mirror semantics, event by event through the inbox: group-to-role mapping with
// priority, deprovisioning on deactivation and on directory deletion (no per-user events),
// accepted invitations, deleted SSO connections, tombstones and out-of-order memberships.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, revokeApiKey } from '../../src/access/api-keys.ts';
import { operatorGranter } from '../../src/access/ceiling.ts';
import type { AuthContext, RevocationEvent } from '../../src/core/auth-context.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createAccessRevoker } from '../../src/mirror/access-revoker.ts';
import { setGroupRoleMapping } from '../../src/directory/group-role-mappings.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { testEngines } from '../support/stores.ts';
import { makeEvent, recordingRevoker } from '../webhooks/support.ts';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';

for (const engine of testEngines()) {
  describe(`directory semantics (${engine.name})`, () => {
    let store: Store;
    const access = recordingRevoker();
    before(async () => {
      store = await engine.open();
    });
    after(async () => store?.close());

    let clock = Date.UTC(2026, 5, 1);
    const send = async (type: string, data: Record<string, unknown>) =>
      ingestEvent({ db: store.db, access }, makeEvent(type, data, new Date(clock++)), 'webhook');
    const read = <T>(fn: Parameters<typeof asSystem<T>>[2]) => asSystem(store.db, 'test reads', fn);
    const membership = (org: string, user: string) =>
      read((tx) =>
        tx
          .selectFrom('organization_memberships')
          .select(['role_slug', 'status', 'source'])
          .where('organization_id', '=', org)
          .where('user_id', '=', user)
          .executeTakeFirst(),
      );

    async function world(tag: string) {
      const org = `org_${tag}`;
      const dir = `directory_${tag}`;
      await send('organization.created', { object: 'organization', id: org, name: tag, external_id: null });
      await send('organization_domain.verified', {
        object: 'organization_domain',
        id: `org_domain_${tag}`,
        organization_id: org,
        domain: 'acme.test',
        state: 'verified',
      });
      await send('user.created', {
        object: 'user',
        id: `user_${tag}`,
        email: `${tag}@acme.test`,
        email_verified: true,
        first_name: 'P',
        last_name: 'Q',
      });
      await send('dsync.activated', {
        object: 'directory',
        id: dir,
        organization_id: org,
        name: 'Dir',
        type: 'okta scim v2.0',
        state: 'active',
      });
      const du = {
        object: 'directory_user',
        id: `directory_user_${tag}`,
        directory_id: dir,
        organization_id: org,
        idp_id: tag,
        email: `${tag}@acme.test`,
        first_name: 'P',
        last_name: 'Q',
        state: 'active',
        emails: [],
      };
      await send('dsync.user.created', du);
      const group = (g: string) => ({
        object: 'directory_group',
        id: `directory_group_${tag}_${g}`,
        directory_id: dir,
        organization_id: org,
        idp_id: g,
        name: g,
      });
      return { org, dir, du, group, user: `user_${tag}` };
    }

    it('provisions a linked directory user and maps groups to roles by priority', async () => {
      const w = await world('roles');
      assert.deepEqual(await membership(w.org, w.user), { role_slug: 'member', status: 'active', source: 'directory' });
      await send('dsync.group.created', w.group('eng'));
      await send('dsync.group.created', w.group('admins'));
      await read((tx) =>
        tx
          .insertInto('organization_roles')
          .values({ organization_id: w.org, slug: 'engineer', name: 'Engineer', permissions: [] })
          .execute(),
      );
      await setGroupRoleMapping(
        store.db,
        access,
        w.org,
        { directoryGroupId: w.group('eng').id, roleSlug: 'engineer', priority: 1 },
        operatorGranter({ type: 'user', id: 'user_admin' }, createPermissionCatalogue()),
      );
      await setGroupRoleMapping(
        store.db,
        access,
        w.org,
        { directoryGroupId: w.group('admins').id, roleSlug: 'admin', priority: 10 },
        operatorGranter({ type: 'user', id: 'user_admin' }, createPermissionCatalogue()),
      );
      await send('dsync.group.user_added', { directory_id: w.dir, user: w.du, group: w.group('eng') });
      assert.equal((await membership(w.org, w.user))?.role_slug, 'engineer');
      await send('dsync.group.user_added', { directory_id: w.dir, user: w.du, group: w.group('admins') });
      assert.equal((await membership(w.org, w.user))?.role_slug, 'admin', 'the higher priority group wins');
      await send('dsync.group.user_removed', { directory_id: w.dir, user: w.du, group: w.group('admins') });
      assert.equal((await membership(w.org, w.user))?.role_slug, 'engineer');
      await send('dsync.group.deleted', w.group('eng'));
      assert.equal((await membership(w.org, w.user))?.role_slug, 'member', 'in no mapped group: the default role');
      const changes = await read((tx) =>
        tx
          .selectFrom('audit_events')
          .select(['actor_type', 'data'])
          .where('organization_id', '=', w.org)
          .where('type', '=', 'directory.role_changed')
          .execute(),
      );
      assert.equal(changes.length, 4);
      assert.ok(changes.every((c) => c.actor_type === 'directory'));
    });

    it('deprovisions at once on deactivation, and every user when the directory is deleted', async () => {
      const w = await world('deprov');
      access.events.length = 0;
      await send('dsync.user.updated', { ...w.du, state: 'inactive' });
      assert.equal((await membership(w.org, w.user))?.status, 'inactive');
      assert.deepEqual(access.events, [
        { kind: 'membership', organizationId: w.org, userId: w.user },
        { kind: 'user', userId: w.user, organizationId: w.org },
      ]);
      await send('dsync.user.updated', { ...w.du, state: 'active' });
      assert.equal((await membership(w.org, w.user))?.status, 'active', 'reactivation provisions again');

      access.events.length = 0;
      const outcome = await send('dsync.deleted', {
        object: 'directory',
        id: w.dir,
        organization_id: w.org,
        name: 'Dir',
        type: 'okta scim v2.0',
        state: 'deleting',
      });
      assert.equal(outcome.outcome, 'applied');
      assert.equal((await membership(w.org, w.user))?.status, 'inactive');
      assert.equal(access.events.length, 2);
      const du = await read((tx) =>
        tx.selectFrom('directory_users').select('deleted_at').where('id', '=', w.du.id).executeTakeFirstOrThrow(),
      );
      assert.ok(du.deleted_at, 'tombstoned with the directory');
      // A late update of that user cannot bring them back.
      assert.equal((await send('dsync.user.updated', { ...w.du, first_name: 'Late' })).outcome, 'stale');
      assert.equal((await membership(w.org, w.user))?.status, 'inactive');
    });

    it("revokes the deprovisioned user's personal API keys, not the organization's", async () => {
      const w = await world('keys');
      const admin: AuthContext = {
        principal: { type: 'user', userId: w.user },
        organizationId: w.org,
        role: 'admin',
        permissions: [...ALL_PERMISSIONS],
        authMethod: 'session',
        isSuperAdmin: false,
      };
      const { personal, shared } = await inTenant(store.db, w.org, async (tx) => ({
        personal: (
          await createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator: admin,
            name: 'mine',
            role: 'member',
            ownership: 'personal',
          })
        ).apiKey.id,
        shared: (
          await createApiKey(tx, {
            catalogue: createPermissionCatalogue(),
            creator: admin,
            name: 'ci',
            role: 'member',
            ownership: 'organization',
          })
        ).apiKey.id,
      }));
      const published: RevocationEvent[] = [];
      const revoker = createAccessRevoker({ publish: async (_tx, e) => void published.push(e), revokeApiKey });
      await ingestEvent(
        { db: store.db, access: revoker },
        makeEvent('dsync.user.updated', { ...w.du, state: 'suspended' }, new Date(clock++)),
        'webhook',
      );
      const keys = await read((tx) =>
        tx.selectFrom('api_keys').select(['id', 'revoked_at']).where('organization_id', '=', w.org).execute(),
      );
      assert.ok(keys.find((k) => k.id === personal)?.revoked_at, 'the personal key is revoked');
      assert.equal(keys.find((k) => k.id === shared)?.revoked_at, null, 'the organization key stays');
      assert.deepEqual(published.map((e) => e.kind).sort(), ['membership', 'user']);
    });

    it('turns an accepted invitation into a membership with the invite-time role', async () => {
      await send('organization.created', { object: 'organization', id: 'org_inv', name: 'Inv' });
      await read((tx) =>
        tx
          .insertInto('organization_roles')
          .values({ organization_id: 'org_inv', slug: 'billing', name: 'Billing', permissions: [] })
          .execute(),
      );
      const inv = {
        object: 'invitation',
        id: 'invitation_1',
        email: 'new@inv.test',
        state: 'pending',
        organization_id: 'org_inv',
        role_slug: 'billing',
        accepted_user_id: null,
      };
      await send('invitation.created', inv);
      await send('invitation.accepted', { ...inv, state: 'accepted', accepted_user_id: 'user_inv' });
      assert.deepEqual(await membership('org_inv', 'user_inv'), {
        role_slug: 'billing',
        status: 'active',
        source: 'invitation',
      });
      // WorkOS then announces its own membership: adopted, not duplicated.
      await send('organization_membership.created', {
        object: 'organization_membership',
        id: 'om_inv',
        user_id: 'user_inv',
        organization_id: 'org_inv',
        status: 'active',
        role: { slug: 'billing' },
      });
      const rows = await read((tx) =>
        tx.selectFrom('organization_memberships').select('id').where('organization_id', '=', 'org_inv').execute(),
      );
      assert.deepEqual(rows, [{ id: 'om_inv' }]);
    });

    it('a deleted connection disables SSO and appends sso.connection_removed', async () => {
      await send('organization.created', { object: 'organization', id: 'org_sso', name: 'SSO' });
      await send('connection.activated', {
        object: 'connection',
        id: 'conn_1',
        organization_id: 'org_sso',
        connection_type: 'OktaSAML',
        name: 'Okta',
        state: 'active',
      });
      await read((tx) =>
        tx
          .insertInto('sso_configs')
          .values({
            organization_id: 'org_sso',
            enabled: true,
            enforced: true,
            connection_id: 'conn_1',
            provider: 'OktaSAML',
          })
          .execute(),
      );
      await send('connection.deleted', {
        object: 'connection',
        id: 'conn_1',
        organization_id: 'org_sso',
        connection_type: 'OktaSAML',
        name: 'Okta',
        state: 'inactive',
      });
      const cfg = await read((tx) =>
        tx
          .selectFrom('sso_configs')
          .select(['enabled', 'enforced', 'connection_id'])
          .where('organization_id', '=', 'org_sso')
          .executeTakeFirstOrThrow(),
      );
      assert.deepEqual(cfg, { enabled: false, enforced: false, connection_id: null });
      const removed = await read((tx) =>
        tx
          .selectFrom('audit_events')
          .select('type')
          .where('organization_id', '=', 'org_sso')
          .where('type', '=', 'sso.connection_removed')
          .execute(),
      );
      assert.equal(removed.length, 1);
    });

    it('an older event never overwrites newer state; tombstones hold', async () => {
      const older = makeEvent(
        'user.updated',
        { object: 'user', id: 'user_order', email: 'old@acme.test' },
        new Date(clock++),
      );
      const newer = makeEvent(
        'user.updated',
        { object: 'user', id: 'user_order', email: 'new@acme.test' },
        new Date(clock++),
      );
      const deleted = makeEvent(
        'user.deleted',
        { object: 'user', id: 'user_order', email: 'new@acme.test' },
        new Date(clock++),
      );
      assert.equal((await ingestEvent({ db: store.db, access }, newer, 'webhook')).outcome, 'applied');
      assert.equal((await ingestEvent({ db: store.db, access }, older, 'webhook')).outcome, 'stale');
      assert.equal(
        (
          await read((tx) =>
            tx.selectFrom('users').select('email').where('id', '=', 'user_order').executeTakeFirstOrThrow(),
          )
        ).email,
        'new@acme.test',
      );
      await ingestEvent({ db: store.db, access }, deleted, 'webhook');
      const late = makeEvent(
        'user.created',
        { object: 'user', id: 'user_order', email: 'zombie@acme.test' },
        new Date(clock - 10),
      );
      assert.equal((await ingestEvent({ db: store.db, access }, late, 'webhook')).outcome, 'stale');
      const row = await read((tx) =>
        tx.selectFrom('users').select(['email', 'deleted_at']).where('id', '=', 'user_order').executeTakeFirstOrThrow(),
      );
      assert.equal(row.email, 'new@acme.test');
      assert.ok(row.deleted_at);
    });

    it('links a directory user only on a verified domain or to an existing member', async () => {
      await send('organization.created', { object: 'organization', id: 'org_evil', name: 'Evil' });
      await send('user.created', {
        object: 'user',
        id: 'user_victim',
        email: 'victim@victim.test',
        first_name: 'V',
        last_name: 'V',
      });
      await send('dsync.user.created', {
        object: 'directory_user',
        id: 'directory_user_evil',
        directory_id: 'directory_evil',
        organization_id: 'org_evil',
        idp_id: 'v',
        email: 'victim@victim.test',
        first_name: 'V',
        last_name: 'V',
        state: 'active',
        emails: [],
      });
      assert.equal(
        await membership('org_evil', 'user_victim'),
        undefined,
        'no membership pulled into an unrelated organization',
      );
      const du = await read((tx) =>
        tx
          .selectFrom('directory_users')
          .select('user_id')
          .where('id', '=', 'directory_user_evil')
          .executeTakeFirstOrThrow(),
      );
      assert.equal(du.user_id, null);
      // Once the organization verifies the domain, the same directory user is linked and provisioned.
      await send('organization_domain.verified', {
        object: 'organization_domain',
        id: 'org_domain_victim',
        organization_id: 'org_evil',
        domain: 'victim.test',
        state: 'verified',
      });
      assert.equal((await membership('org_evil', 'user_victim'))?.status, 'active');
    });

    it('reads wrapped payloads: a domain verification failure, a group membership without a top-level organization', async () => {
      await send('organization.created', { object: 'organization', id: 'org_wrap', name: 'Wrap' });
      const domain = {
        object: 'organization_domain',
        id: 'org_domain_wrap',
        organization_id: 'org_wrap',
        domain: 'wrap.test',
        state: 'pending',
      };
      await send('organization_domain.created', domain);
      const failed = await send('organization_domain.verification_failed', {
        reason: 'domain_verification_period_expired',
        organization_domain: { ...domain, state: 'failed' },
      });
      assert.equal(failed.outcome, 'applied');
      const row = await read((tx) =>
        tx
          .selectFrom('organization_domains')
          .select('state')
          .where('id', '=', 'org_domain_wrap')
          .executeTakeFirstOrThrow(),
      );
      assert.equal(row.state, 'failed');
      const event = makeEvent(
        'dsync.group.user_added',
        {
          directory_id: 'directory_wrap',
          user: {
            id: 'directory_user_wrap',
            directory_id: 'directory_wrap',
            organization_id: 'org_wrap',
            state: 'active',
            email: 'w@wrap.test',
          },
          group: { id: 'directory_group_wrap', directory_id: 'directory_wrap', organization_id: 'org_wrap', name: 'g' },
        },
        new Date(clock++),
      );
      await ingestEvent({ db: store.db, access }, event, 'webhook');
      const inbox = await read((tx) =>
        tx.selectFrom('webhook_events').select('organization_id').where('id', '=', event.id).executeTakeFirstOrThrow(),
      );
      assert.equal(inbox.organization_id, 'org_wrap', 'the event is filed under (and locked on) its organization');
    });

    it('membership events out of order converge on the newest', async () => {
      const m = { object: 'organization_membership', id: 'om_ooo', user_id: 'user_ooo', organization_id: 'org_ooo' };
      const created = makeEvent(
        'organization_membership.created',
        { ...m, status: 'active', role: { slug: 'member' } },
        new Date(clock++),
      );
      const updated = makeEvent(
        'organization_membership.updated',
        { ...m, status: 'active', role: { slug: 'admin' } },
        new Date(clock++),
      );
      await ingestEvent({ db: store.db, access }, updated, 'webhook');
      await ingestEvent({ db: store.db, access }, created, 'webhook');
      assert.deepEqual(await membership('org_ooo', 'user_ooo'), {
        role_slug: 'admin',
        status: 'active',
        source: 'manual',
      });
    });
  });
}
