// What a newcomer meets on the pages, through app.request(): the home page signed out and signed
// in, the header (person, organization, switcher posting to /auth/switch-organization, sign-out),
// navigation that links only what the role may open, the stylesheet from our own origin, a new
// API key shown once after a redirect (a reload creates nothing), the confirm step before a
// removal, form errors beside the form with what was typed, and no self-removal buttons.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { AppError } from '../../src/core/errors.ts';
import { ALL_PERMISSIONS } from '../../src/core/permissions.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { STYLESHEET_HREF } from '../../src/web/styles.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';

describe('first-hour pages', () => {
  let store: Store;
  let acme: string;
  let globex: string;
  const contexts = new Map<string, AuthContext>();
  let app: ReturnType<typeof createHttpApp>;

  before(async () => {
    store = await openPgliteTestStore();
    acme = await createOrg(store.db, 'Acme Corp');
    globex = await createOrg(store.db, 'Globex');
    const ada = await createUser(store.db, 'ada@acme.test');
    const bob = await createUser(store.db, 'bob@acme.test');
    await asSystem(store.db, 'test fixture', async (tx) => {
      await tx.updateTable('users').set({ first_name: 'Ada', last_name: 'Lovelace' }).where('id', '=', ada).execute();
      await tx
        .insertInto('organization_memberships')
        .values([
          {
            organization_id: acme,
            id: 'om_01FIRSTHOURADA01',
            user_id: ada,
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          },
          {
            organization_id: globex,
            id: 'om_01FIRSTHOURADA02',
            user_id: ada,
            role_slug: 'member',
            status: 'active',
            source: 'manual',
          },
          {
            organization_id: acme,
            id: 'om_01FIRSTHOURBOB01',
            user_id: bob,
            role_slug: 'member',
            status: 'active',
            source: 'invitation',
          },
        ])
        .execute();
    });
    const base = { authMethod: 'session' as const, isSuperAdmin: false };
    contexts.set('admin', {
      ...base,
      sessionId: 'ses_01FIRSTHOUR00001',
      principal: { type: 'user', userId: ada },
      organizationId: acme,
      role: 'admin',
      permissions: ALL_PERMISSIONS,
    });
    contexts.set('member', {
      ...base,
      sessionId: 'ses_01FIRSTHOUR00002',
      principal: { type: 'user', userId: bob },
      organizationId: acme,
      role: 'member',
      permissions: ['organization:read', 'members:read'],
    });
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      authenticate: async (c) => {
        const who = contexts.get(c.req.header('x-test-principal') ?? '');
        if (!who) throw new AppError('AUTH_REQUIRED', 'Sign in');
        return who;
      },
    });
  });
  after(() => store.close());

  const get = (who: string | null, path: string) =>
    app.request(path, { headers: who ? { 'x-test-principal': who } : {} });
  const post = (who: string, path: string, form: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'x-test-principal': who, 'content-type': 'application/x-www-form-urlencoded' },
    });

  it('home signed out is a sign-in page, not a 404', async () => {
    const res = await get(null, '/');
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /<h1>Sign in to Gatehouse<\/h1>/);
    assert.match(body, /href="\/auth\/login"/);
    assert.match(body, new RegExp(`<link rel="stylesheet" href="${STYLESHEET_HREF.replace(/[?.]/g, '\\$&')}">`));
  });

  it('home signed in lists the organizations, the pages the role may open, and a switch to the other one', async () => {
    const body = await (await get('admin', '/')).text();
    assert.match(body, /data-testid="signed-in-as">Ada Lovelace <small>ada@acme\.test<\/small>/);
    assert.match(body, /You belong to 2 organizations\./);
    assert.match(body, new RegExp(`href="/admin/orgs/${acme}/api-keys"`));
    assert.match(
      body,
      new RegExp(
        `<form method="post" action="/auth/switch-organization"[^>]*>\\s*<input type="hidden" name="organizationId" value="${globex}">`,
      ),
    );
    const member = await (await get('member', '/')).text();
    assert.match(member, /You belong to 1 organization\./);
    assert.doesNotMatch(member, /api-keys|\/audit"/, 'a member is offered no page that answers 403');
    assert.doesNotMatch(member, /switch-organization/, 'no switcher with one organization');
  });

  it('the header on admin pages: person, organization, switcher, sign-out; navigation only to what the role may open', async () => {
    const admin = await (await get('admin', `/admin/orgs/${acme}/members`)).text();
    assert.match(admin, /data-testid="current-organization">Acme Corp · admin/);
    assert.match(
      admin,
      new RegExp(
        `<select id="switch-organization" name="organizationId">\\s*<option value="${globex}">Globex</option>`,
      ),
    );
    assert.match(admin, /<form method="post" action="\/auth\/logout">/);
    for (const section of ['sso', 'members', 'roles', 'api-keys', 'sessions', 'audit'])
      assert.match(admin, new RegExp(`href="/admin/orgs/${acme}/${section}"`));
    const member = await (await get('member', `/admin/orgs/${acme}/members`)).text();
    const nav = /<nav class="sections"[\s\S]*?<\/nav>/.exec(member)![0];
    for (const section of ['api-keys', 'sessions', 'audit']) assert.doesNotMatch(nav, new RegExp(`/${section}"`));
    for (const section of ['sso', 'members', 'roles']) assert.match(nav, new RegExp(`/${section}"`));
    const landing = await get('member', '/admin');
    assert.equal(landing.headers.get('location'), `/admin/orgs/${acme}/sso`);
  });

  it('serves one stylesheet from our origin', async () => {
    const res = await get(null, STYLESHEET_HREF);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/css/);
    assert.match(await res.text(), /\.table-wrap \{ overflow-x: auto/);
  });

  it('a new API key: post, redirect, the secret once; a reload shows it is gone and creates nothing', async () => {
    const created = await post('admin', `/admin/orgs/${acme}/api-keys/create`, {
      name: 'billing',
      role: 'member',
      ownership: 'organization',
      expiresInDays: '',
    });
    assert.equal(created.status, 303);
    const location = created.headers.get('location')!;
    assert.match(location, new RegExp(`^/admin/orgs/${acme}/api-keys\\?reveal=[A-Za-z0-9_-]{20,}$`));
    assert.doesNotMatch(location, /gth_/, 'the secret is not in the URL');
    const first = await get('admin', location);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const secret = /data-testid="new-api-key-secret"/.test(await first.clone().text())
      ? /value="(gth_[^"]+)"/.exec(await first.text())![1]
      : undefined;
    assert.ok(secret, 'the secret is on the page it redirected to');
    const again = await (await get('admin', location)).text();
    assert.ok(!again.includes(secret), 'the secret is not shown a second time');
    assert.match(again, /already shown once/);
    const count = await asSystem(store.db, 'test', (tx) =>
      tx.selectFrom('api_keys').select('id').where('organization_id', '=', acme).execute(),
    );
    assert.equal(count.length, 1, 'one key, however often the page is reloaded');
    const stranger = await (await get('member', location)).text();
    assert.ok(!stranger.includes(secret), 'nobody else redeems the token');
  });

  it('removing a member asks first; the confirmation posts the same fields with confirmed=yes', async () => {
    const res = await post('admin', `/admin/orgs/${acme}/members/remove`, {
      membershipId: 'om_01FIRSTHOURBOB01',
      email: 'bob@acme.test',
    });
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /<h1>Remove bob@acme\.test\?<\/h1>/);
    assert.match(body, /<input type="hidden" name="membershipId" value="om_01FIRSTHOURBOB01">/);
    assert.match(body, /<input type="hidden" name="confirmed" value="yes">/);
    const still = await asSystem(store.db, 'test', (tx) =>
      tx
        .selectFrom('organization_memberships')
        .select('status')
        .where('id', '=', 'om_01FIRSTHOURBOB01')
        .executeTakeFirst(),
    );
    assert.equal(still?.status, 'active', 'nothing changed before the confirmation');
  });

  it('a failed form keeps what was typed and shows the error beside it; the admin has no buttons on their own row', async () => {
    const res = await post('admin', `/admin/orgs/${acme}/roles/create`, {
      slug: 'Bad Slug',
      name: 'Readers',
      description: 'reads',
      'perm:audit:read': 'on',
    });
    assert.equal(res.status, 422);
    const body = await res.text();
    const form = /<form method="post" action="[^"]*\/roles\/create">[\s\S]*?<\/form>/.exec(body)![0];
    assert.match(form, /<p class="error" role="alert">The slug takes lowercase letters/);
    assert.match(form, /value="Bad Slug"/);
    assert.match(form, /value="Readers"/);
    assert.match(form, /id="perm-audit:read" name="perm:audit:read" value="on" checked/);
    assert.match(form, /pattern="\[a-z\]\[a-z0-9\\-\]\{1,47\}"/);
    assert.ok(
      new RegExp(`^(?:${/pattern="([^"]+)"/.exec(form)![1]})$`, 'v').test('org-auditor'),
      'the pattern is a valid regular expression for browsers',
    );

    const members = await (await get('admin', `/admin/orgs/${acme}/members`)).text();
    assert.match(members, /<caption class="muted">2 members<\/caption>/);
    assert.doesNotMatch(members, /aria-label="(Remove|Deactivate) ada@acme\.test"/);
    assert.match(members, /aria-label="Remove bob@acme\.test"/);
    assert.match(members, /<td>invitation<\/td>/);
  });
});
