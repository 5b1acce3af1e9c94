// The Directories admin page, as an organization admin's browser session uses it: create a
// directory (its token shown once on the page the form lands on, then never again), rotate,
// revoke, delete with a confirmation; a member without directory:manage is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startScimWorld, type ScimWorld } from './support.ts';

describe('the Directories admin page', () => {
  let w: ScimWorld;
  before(async () => {
    w = await startScimWorld();
  });
  after(() => w?.close());

  const send = (cookie: string, path: string, form?: Record<string, string>) =>
    w.world.gatehouse.app.request(`http://127.0.0.1${path}`, {
      method: form ? 'POST' : 'GET',
      headers: {
        cookie: `gatehouse_session=${cookie}`,
        ...(form ? { origin: 'http://127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
  /** Follows one post/redirect/get hop and answers the page's HTML. */
  const postAndFollow = async (cookie: string, path: string, form: Record<string, string>) => {
    const res = await send(cookie, path, form);
    if (res.status !== 302 && res.status !== 303) return { status: res.status, html: await res.text() };
    const next = await send(
      cookie,
      new URL(res.headers.get('location')!, 'http://127.0.0.1').pathname +
        new URL(res.headers.get('location')!, 'http://127.0.0.1').search,
    );
    return { status: next.status, html: await next.text() };
  };

  it('creates a directory and shows its token once, then rotates, revokes and deletes it', async () => {
    const { ada, bob } = w.world.members;
    const page = `/admin/orgs/${w.world.orgs.acme}/directories`;
    const empty = await send(ada.cookie, page);
    assert.equal(empty.status, 200);
    const emptyHtml = await empty.text();
    assert.match(emptyHtml, /No SCIM directories yet/);
    assert.match(emptyHtml, /\/scim\/v2<\/code>/, 'the base URL is on the page');

    const created = await postAndFollow(ada.cookie, `${page}/create`, { name: 'Okta' });
    assert.equal(created.status, 200);
    const token = /gth_scim_[A-Za-z0-9_-]{43}/.exec(created.html)?.[0];
    assert.ok(token, 'the token is shown on the page the form lands on');
    assert.equal((await w.scim(token).get('/Users')).status, 200);
    const again = await (await send(ada.cookie, page)).text();
    assert.ok(!again.includes(token), 'and never again');
    const directoryId = /directory_[0-9A-Z]{26}/.exec(again)?.[0];
    assert.ok(directoryId);

    const rotated = await postAndFollow(ada.cookie, `${page}/rotate`, { directoryId, overlapSeconds: '0' });
    const next = /gth_scim_[A-Za-z0-9_-]{43}/.exec(rotated.html)?.[0];
    assert.ok(next && next !== token);
    assert.equal((await w.scim(token).get('/Users')).status, 401);
    assert.equal((await w.scim(next).get('/Users')).status, 200);

    await postAndFollow(ada.cookie, `${page}/revoke`, { directoryId });
    assert.equal((await w.scim(next).get('/Users')).status, 401);

    const ask = await send(ada.cookie, `${page}/delete`, { directoryId });
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /Delete this directory\?/);
    await postAndFollow(ada.cookie, `${page}/delete`, { directoryId, confirmed: 'yes' });
    assert.match(await (await send(ada.cookie, page)).text(), /No SCIM directories yet/);

    const refused = await send(bob.cookie, page);
    assert.equal(refused.status, 403);
  });
});
