// The provider-independent features under each AUTH_PROVIDER: one world (support/app-world.ts) per
// provider whose people sign in the way that provider signs them in (WorkOS mode: sessions opened
// directly; `local`: the email code read from a real SMTP server; `oidc`: a real `oidc-provider` per
// organization), then the same scenarios over HTTP: sessions revoked and refused on the very next
// request, API keys created, used and revoked, admin pages by role, the permission ceiling, audit
// entries naming the person who acted, organization switching, super-admin entry.
// Not here, because they do not apply to local/oidc: WorkOS refresh tokens and their outage grace
// (test/sign-in/provider-outage.test.ts, src/sessions/session-service.test.ts), WorkOS webhooks and
// directory sync (test/webhooks, test/directory), the WorkOS admin portal and eval-tenant provisioning.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inTenant } from '../../src/store/tenant.ts';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';
import { PROVIDERS } from '../support/provider-sign-in.ts';
import { openPgliteTestStore } from '../support/stores.ts';

const AUTH_METHOD = { workos: 'sso', local: 'email_code', oidc: 'oidc' } as const;

for (const provider of PROVIDERS) {
  describe(`provider-independent features with AUTH_PROVIDER=${provider}`, () => {
    let world: AppWorld;
    before(async () => {
      world = await startAppWorld({ provider, openStore: openPgliteTestStore });
    });
    after(() => world?.close());

    const call = (cookie: string, path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${world.url}${path}`, {
        method: init.method ?? 'GET',
        redirect: 'manual',
        headers: {
          accept: 'application/json',
          origin: 'http://127.0.0.1',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          cookie: `gatehouse_session=${cookie}`,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    const auditOf = (organizationId: string, type: string) =>
      inTenant(world.gatehouse.store.db, organizationId, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['actor_type', 'actor_id', 'target_id'])
          .where('organization_id', '=', organizationId)
          .where('type', '=', type)
          .execute(),
      );

    it('signs people in through the provider; the session works and records how', async () => {
      const { ada } = world.members;
      const me = await call(ada.cookie, '/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { organizationId: string }).organizationId, world.orgs.acme);
      const row = await inTenant(world.gatehouse.store.db, world.orgs.acme, (tx) =>
        tx.selectFrom('sessions').selectAll().where('id', '=', ada.sessionId).executeTakeFirstOrThrow(),
      );
      assert.equal(row.auth_method, AUTH_METHOD[provider]);
      if (provider !== 'workos') {
        // Locally owned: no provider token to refresh, so asking for one neither calls out nor ends it.
        assert.equal(row.refresh_token_enc, null);
        const resolved = await world.gatehouse.access.sessions!.resolve(ada.cookie);
        assert.ok(resolved.ok);
        assert.deepEqual(await world.gatehouse.access.sessions!.accessTokenFor(resolved.session), {
          ok: true,
          accessToken: '',
        });
        assert.equal((await call(ada.cookie, '/api/v1/me')).status, 200);
      }
    });

    it('a session revoked by an admin, or all of a user’s, is refused on the very next request', async () => {
      const { ada, bob } = world.members;
      const fresh = await world.signIn(bob, 'member');
      assert.equal((await call(fresh.cookie, '/api/v1/me')).status, 200);
      const revoked = await call(ada.cookie, `/api/v1/organizations/${world.orgs.acme}/sessions/${fresh.sessionId}`, {
        method: 'DELETE',
      });
      assert.ok(revoked.status < 300, `revoke answered ${revoked.status}`);
      assert.equal((await call(fresh.cookie, '/api/v1/me')).status, 401);
      const audited = await auditOf(world.orgs.acme, 'session.revoked');
      assert.ok(audited.some((e) => e.actor_type === 'user' && e.actor_id === ada.userId));

      const one = await world.signIn(bob, 'member');
      const two = await world.signIn(bob, 'member');
      const all = await call(ada.cookie, `/api/v1/organizations/${world.orgs.acme}/users/${bob.userId}/sessions`, {
        method: 'DELETE',
      });
      assert.ok(all.status < 300, `revoke-all answered ${all.status}`);
      for (const s of [one, two, bob]) assert.equal((await call(s.cookie, '/api/v1/me')).status, 401);
      world.members.bob = await world.signIn(bob, 'member');
    });

    it('an API key is created, authenticates at once, and is refused the moment it is revoked', async () => {
      const { ada } = world.members;
      const base = `/api/v1/organizations/${world.orgs.acme}/api-keys`;
      const created = await call(ada.cookie, base, { method: 'POST', body: { name: 'ci', role: 'member' } });
      assert.equal(created.status, 201, await created.clone().text());
      const {
        apiKey: { id },
        secret,
      } = (await created.json()) as { apiKey: { id: string }; secret: string };
      const audited = await auditOf(world.orgs.acme, 'api_key.created');
      assert.ok(audited.some((e) => e.actor_id === ada.userId && e.target_id === id));
      const bearer = (path: string) =>
        fetch(`${world.url}${path}`, { headers: { authorization: `Bearer ${secret}`, accept: 'application/json' } });
      assert.equal((await bearer('/api/v1/me')).status, 200);
      assert.ok((await call(ada.cookie, `${base}/${id}`, { method: 'DELETE' })).status < 300);
      assert.equal((await bearer('/api/v1/me')).status, 401);
    });

    it('admin pages by role, and the ceiling: nobody grants what they do not hold', async () => {
      const { ada, bob } = world.members;
      assert.equal((await call(ada.cookie, `/admin/orgs/${world.orgs.acme}/members`)).status, 200);
      assert.equal((await call(bob.cookie, `/admin/orgs/${world.orgs.acme}/audit`)).status, 403);
      assert.equal((await call(ada.cookie, `/admin/orgs/${world.orgs.globex}/members`)).status, 404);
      await inTenant(world.gatehouse.store.db, world.orgs.acme, (tx) =>
        tx
          .insertInto('organization_roles')
          .values({
            organization_id: world.orgs.acme,
            slug: 'keys',
            name: 'Keys',
            permissions: ['api_keys:manage', 'organization:read'],
          })
          .execute(),
      );
      const keyholderId = await world.join(world.orgs.acme, 'person1@acme.test', 'keys');
      const keyholder = await world.signIn({ ...ada, userId: keyholderId }, 'keys');
      const refused = await call(keyholder.cookie, `/api/v1/organizations/${world.orgs.acme}/api-keys`, {
        method: 'POST',
        body: { name: 'too much', role: 'admin' },
      });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { code: string }).code, 'AUTH_API_KEY_ROLE_TOO_HIGH');
      const allowed = await call(keyholder.cookie, `/api/v1/organizations/${world.orgs.acme}/api-keys`, {
        method: 'POST',
        body: { name: 'just right', role: 'keys' },
      });
      assert.equal(allowed.status, 201);
    });

    it('a member of two organizations switches, then signs out; the old sessions are refused', async (t) => {
      // WorkOS mode switches by re-scoping the WorkOS session (test/sign-in/account-routes.test.ts);
      // this world has no WorkOS, so its sign-in routes, switching among them, are not mounted.
      if (provider === 'workos') return t.skip('needs WorkOS; covered against the emulator');
      const userId = await world.join(world.orgs.acme, 'person2@acme.test', 'admin');
      await inTenant(world.gatehouse.store.db, world.orgs.globex, (tx) =>
        tx
          .insertInto('organization_memberships')
          .values({
            organization_id: world.orgs.globex,
            id: `om_${userId.slice(-20)}`,
            user_id: userId,
            role_slug: 'member',
            status: 'active',
            source: 'manual',
          })
          .execute(),
      );
      const signedIn = await world.signIn({ ...world.members.ada, userId }, 'admin');
      const switched = await call(signedIn.cookie, '/auth/switch-organization', {
        method: 'POST',
        body: { organizationId: world.orgs.globex },
      });
      assert.equal(switched.status, 200, await switched.clone().text());
      assert.equal(((await switched.json()) as { organizationId: string }).organizationId, world.orgs.globex);
      const next = /gatehouse_session=([^;]+)/.exec(switched.headers.getSetCookie().join('\n'))![1]!;
      const me = (await (await call(next, '/api/v1/me')).json()) as { organizationId: string; role: string };
      assert.deepEqual([me.organizationId, me.role], [world.orgs.globex, 'member']);
      assert.equal((await call(signedIn.cookie, '/api/v1/me')).status, 401);
      // Signing out ends the session here (no provider session to end under local/oidc), audited.
      const out = await call(next, '/auth/logout', { method: 'POST' });
      assert.deepEqual(await out.json(), { signedOut: true, logoutUrl: null });
      assert.equal((await call(next, '/api/v1/me')).status, 401);
      assert.ok((await auditOf(world.orgs.globex, 'auth.signed_out')).some((e) => e.actor_id === userId));
    });

    it('a super-admin signed in through the provider enters a tenant, audited there with their id', async () => {
      const staffId = await world.join(world.orgs.staff, 'person1@gatehouse.test', 'admin');
      const sam = await world.signIn({ ...world.members.ada, userId: staffId, organizationId: world.orgs.staff });
      const list = await call(sam.cookie, '/api/v1/admin/organizations');
      assert.equal(list.status, 200);
      const entered = await call(sam.cookie, `/api/v1/admin/organizations/${world.orgs.acme}/enter`, {
        method: 'POST',
      });
      assert.equal(entered.status, 204, await entered.clone().text());
      const audited = await auditOf(world.orgs.acme, 'superadmin.entered');
      assert.ok(audited.some((e) => e.actor_id === staffId));
      assert.equal((await call(world.members.ada.cookie, '/api/v1/admin/organizations')).status, 404);
    });

    it('an admin changes, deactivates and removes a member: the next request already obeys', async (t) => {
      // WorkOS mode writes these to WorkOS first (test/api/member-admin.test.ts, against the emulator).
      if (provider === 'workos') return t.skip('needs WorkOS; covered against the emulator');
      const { ada } = world.members;
      const acme = world.orgs.acme;
      const userId = await world.join(acme, 'person3@acme.test', 'admin');
      const membership = `/api/v1/organizations/${acme}/members/om_${userId.slice(-20)}`;
      const person = await world.signIn({ ...ada, userId });
      const created = await call(person.cookie, `/api/v1/organizations/${acme}/api-keys`, {
        method: 'POST',
        body: { name: 'mine', role: 'member', ownership: 'personal' },
      });
      assert.equal(created.status, 201);
      const { secret } = (await created.json()) as { secret: string };
      const bearer = () =>
        fetch(`${world.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}`, accept: 'application/json' } });

      const demoted = await call(ada.cookie, membership, { method: 'PATCH', body: { role: 'member' } });
      assert.equal(demoted.status, 200, await demoted.clone().text());
      const me = (await (await call(person.cookie, '/api/v1/me')).json()) as { role: string };
      assert.equal(me.role, 'member');
      assert.equal((await call(person.cookie, `/admin/orgs/${acme}/audit`)).status, 403);

      const off = await call(ada.cookie, `${membership}/deactivate`, { method: 'POST' });
      assert.equal(off.status, 200, await off.clone().text());
      assert.equal((await call(person.cookie, '/api/v1/me')).status, 401);
      assert.equal((await bearer()).status, 401);
      // Reactivated from the admin page (the same change behind the same walls as the API).
      const page = await fetch(`${world.url}/admin/orgs/${acme}/members/reactivate`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          origin: 'http://127.0.0.1',
          cookie: `gatehouse_session=${ada.cookie}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ membershipId: `om_${userId.slice(-20)}` }).toString(),
      });
      assert.equal(page.status, 303, await page.clone().text());
      assert.ok((await auditOf(acme, 'member.reactivated')).some((e) => e.target_id === userId));
      // Reactivating restores the membership, not the credentials it ended.
      assert.equal((await call(person.cookie, '/api/v1/me')).status, 401);
      const again = await world.signIn({ ...ada, userId }, 'member');
      assert.equal((await call(again.cookie, '/api/v1/me')).status, 200);
      assert.equal((await call(ada.cookie, membership, { method: 'DELETE' })).status, 204);
      assert.equal((await call(again.cookie, '/api/v1/me')).status, 401);
      for (const type of ['member.role_changed', 'member.deactivated', 'member.removed'])
        assert.ok(
          (await auditOf(acme, type)).some((e) => e.actor_id === ada.userId && e.target_id === userId),
          type,
        );
      // Nobody grants what they do not hold, here too: a member cannot promote anyone.
      const bob = world.members.bob;
      const refused = await call(bob.cookie, `/api/v1/organizations/${acme}/members/om_${ada.userId.slice(-20)}`, {
        method: 'PATCH',
        body: { role: 'member' },
      });
      assert.equal(refused.status, 403);
    });
  });
}
