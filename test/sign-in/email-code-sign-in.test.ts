// AUTH_PROVIDER=local end to end through the real composition root: the code is read from a real
// SMTP server the test runs, then the same sign-in service, organization picker, switching,
// sessions, audit entries and logout as WorkOS mode. No provider token is ever refreshed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { addMember, orgWithMember } from '../support/access-fixtures.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { cookiesOf, form, json, openLocalWorld, type LocalWorld } from './local-world.ts';

const SESSION = 'gatehouse_session';

async function signInByCode(world: LocalWorld, email: string) {
  const before = world.mail.length;
  const asked = await world.send('/auth/email', form({ email }));
  assert.equal(asked.status, 200);
  assert.match(await asked.text(), /data-response-type="EMAIL_CODE_SENT"/);
  const { code } = await world.codeFor(email, before);
  return world.send('/auth/email/verify', json({ email, code }));
}

describe('email-code sign-in (AUTH_PROVIDER=local)', () => {
  let world: LocalWorld;
  before(async () => {
    world = await openLocalWorld(openPgliteTestStore);
  });
  after(() => world?.close());

  it('signs a member in with the code from the mailbox; the session works and is locally owned', async () => {
    const { organizationId, userId } = await orgWithMember(world.store.db, 'admin', 'ada@acme.test');
    const res = await signInByCode(world, 'Ada@Acme.test');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(body, { responseType: 'LOGIN_SUCCESSFUL', organizationId, userId, returnTo: '/' });
    const cookie = cookiesOf(res)[SESSION]!;
    assert.ok(cookie);
    const me = await world.send('/api/v1/me', { cookies: { [SESSION]: cookie } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { organizationId: string }).organizationId, organizationId);
    const row = await asSystem(world.store.db, 'test', (tx) =>
      tx.selectFrom('sessions').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow(),
    );
    assert.equal(row.auth_method, 'email_code');
    assert.equal(row.refresh_token_enc, null);
    assert.equal(row.access_token_enc, null);
    // Locally owned: asking for its token neither calls a provider nor ends it, even long after.
    world.advance(60 * 60_000);
    const resolved = await world.gatehouse.access.sessions!.resolve(cookie);
    assert.ok(resolved.ok);
    assert.deepEqual(await world.gatehouse.access.sessions!.accessTokenFor(resolved.session), {
      ok: true,
      accessToken: '',
    });
    assert.equal((await world.send('/api/v1/me', { cookies: { [SESSION]: cookie } })).status, 200);
    const types = await inTenant(world.store.db, organizationId, (tx) =>
      tx.selectFrom('audit_events').select('type').execute(),
    );
    assert.ok(types.some((t) => t.type === 'auth.signed_in'));
    assert.ok(types.some((t) => t.type === 'session.created'));
    // The audit trail never holds the code.
    const code = world.mail.at(-1)!.text.match(/code is (\d{6})/)![1]!;
    const audit = await inTenant(world.store.db, organizationId, (tx) =>
      tx.selectFrom('audit_events').selectAll().execute(),
    );
    assert.ok(!JSON.stringify(audit).includes(code));
    // Logout revokes the session; the cookie stops working.
    const out = await world.send('/auth/logout', {
      method: 'POST',
      headers: { accept: 'application/json' },
      cookies: { [SESSION]: cookie },
    });
    assert.equal(out.status, 200);
    assert.equal((await world.send('/api/v1/me', { cookies: { [SESSION]: cookie } })).status, 401);
  });

  it('the magic link lands on the same verification, pre-filled, and signs in on submit', async () => {
    await orgWithMember(world.store.db, 'member', 'lin@acme.test');
    const before = world.mail.length;
    await world.send('/auth/email', form({ email: 'lin@acme.test', returnTo: '/admin' }));
    const { code, link } = await world.codeFor('lin@acme.test', before);
    const page = await world.send(new URL(link).pathname + new URL(link).search);
    const html = await page.text();
    assert.match(html, /action="\/auth\/email\/verify"/);
    assert.match(html, new RegExp(`value="${code}"`));
    // Fetching the link (a mail scanner) spent nothing: the form still signs in.
    const done = await world.send('/auth/email/verify', form({ email: 'lin@acme.test', code, returnTo: '/admin' }));
    assert.equal(done.status, 200);
    assert.match(await done.text(), /data-response-type="LOGIN_SUCCESSFUL"[\s\S]*href="\/admin"/);
  });

  it('a member of two organizations picks one, then switches without any provider call', async () => {
    const a = await createOrg(world.store.db, 'Alpha');
    const b = await createOrg(world.store.db, 'Beta');
    const userId = await createUser(world.store.db, 'two@acme.test');
    await addMember(world.store.db, a, userId, 'admin');
    await addMember(world.store.db, b, userId, 'member');
    const res = await signInByCode(world, 'two@acme.test');
    const body = (await res.json()) as { responseType: string; organizations: Array<{ id: string }> };
    assert.equal(body.responseType, 'ORGANIZATION_SELECTION_REQUIRED');
    assert.deepEqual(body.organizations.map((o) => o.id).sort(), [a, b].sort());
    const pending = cookiesOf(res);
    const chosen = await world.send('/auth/organization-selection', {
      ...json({ organizationId: b }),
      cookies: pending,
    });
    const done = (await chosen.json()) as Record<string, unknown>;
    assert.equal(done.responseType, 'LOGIN_SUCCESSFUL');
    assert.equal(done.organizationId, b);
    const cookie = cookiesOf(chosen)[SESSION]!;
    const switched = await world.send('/auth/switch-organization', {
      ...json({ organizationId: a }),
      cookies: { [SESSION]: cookie },
    });
    assert.equal(switched.status, 200);
    assert.equal(((await switched.json()) as Record<string, unknown>).organizationId, a);
    const next = cookiesOf(switched)[SESSION]!;
    const me = await world.send('/api/v1/me', { cookies: { [SESSION]: next } });
    assert.equal(((await me.json()) as { organizationId: string }).organizationId, a);
    assert.equal((await world.send('/api/v1/me', { cookies: { [SESSION]: cookie } })).status, 401);
  });

  it('invitation mode: a pending membership is accepted by the code; a stranger has no membership', async () => {
    const org = await createOrg(world.store.db, 'Invites');
    const userId = await createUser(world.store.db, 'invited@acme.test');
    await addMember(world.store.db, org, userId, 'member', 'pending');
    const res = await signInByCode(world, 'invited@acme.test');
    assert.equal(((await res.json()) as Record<string, unknown>).responseType, 'LOGIN_SUCCESSFUL');
    const stranger = await signInByCode(world, 'nobody@elsewhere.test');
    assert.equal(stranger.status, 403);
    assert.deepEqual(await stranger.json(), {
      responseType: 'MEMBERSHIP_DEACTIVATED',
      organizationId: null,
      reason: 'no_membership',
    });
  });
});

describe('email-code sign-up settings', () => {
  it('open: a new address gets its own organization as admin', async () => {
    const world = await openLocalWorld(openPgliteTestStore, 'open');
    try {
      const res = await signInByCode(world, 'founder@new.test');
      const body = (await res.json()) as { responseType: string; organizationId: string };
      assert.equal(body.responseType, 'LOGIN_SUCCESSFUL');
      const m = await inTenant(world.store.db, body.organizationId, (tx) =>
        tx.selectFrom('organization_memberships').selectAll().execute(),
      );
      assert.deepEqual(
        m.map((r) => [r.role_slug, r.status]),
        [['admin', 'active']],
      );
    } finally {
      await world.close();
    }
  });

  it('domain: a verified domain with auto-join admits; any other address is refused', async () => {
    const world = await openLocalWorld(openPgliteTestStore, 'domain');
    try {
      const org = await createOrg(world.store.db, 'Verified');
      await asSystem(world.store.db, 'test', async (tx) => {
        await tx.updateTable('organizations').set({ domain_auto_join: true }).where('id', '=', org).execute();
        await tx
          .insertInto('organization_domains')
          .values({ organization_id: org, id: `${org}:verified.test`, domain: 'verified.test', state: 'verified' })
          .execute();
      });
      const joined = (await (await signInByCode(world, 'new@verified.test')).json()) as Record<string, unknown>;
      assert.equal(joined.responseType, 'LOGIN_SUCCESSFUL');
      assert.equal(joined.organizationId, org);
      const other = (await (await signInByCode(world, 'new@unverified.test')).json()) as Record<string, unknown>;
      assert.equal(other.responseType, 'MEMBERSHIP_DEACTIVATED');
    } finally {
      await world.close();
    }
  });
});
