// POST /api/v1/introspect and GET /api/v1/revocations/stream on a running Gatehouse: answers match
// the published OpenAPI document, only a key holding sessions:introspect may ask, and an
// organization-scoped key hears its own tenant's revocations and never another tenant's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSseBlock } from '../../packages/client/src/index.ts';
import { publishRevocation } from '../../src/sessions/revocation-bus.ts';
import { checkedApi } from '../support/openapi-responses.ts';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';

describe('/api/v1 introspection for apps', () => {
  let world: AppWorld;
  let api: ReturnType<typeof checkedApi>;

  before(async () => {
    world = await startAppWorld();
    api = checkedApi(world.gatehouse.app);
  });
  after(async () => {
    await world?.close();
  });

  const introspect = async (key: string, body: unknown) => {
    const res = await api.request('/api/v1/introspect', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      cache: res.headers.get('cache-control'),
      body: (await res.json()) as Record<string, any>,
    };
  };

  it('answers the AuthContext for a cookie and a coded refusal for a bad one, never cached', async () => {
    const ok = await introspect(world.appKeys.acme, { cookie: world.members.bob.cookie });
    assert.equal(ok.status, 200);
    assert.equal(ok.cache, 'no-store');
    assert.equal(ok.body.active, true);
    assert.equal(ok.body.auth.role, 'member');
    const bad = await introspect(world.appKeys.acme, { token: 'gth_live_unknown' });
    assert.deepEqual({ active: bad.body.active, status: bad.body.status }, { active: false, status: 401 });
    assert.equal((await introspect(world.appKeys.acme, { cookie: 'a', token: 'b' })).status, 422);
  });

  it('refuses a key without sessions:introspect', async () => {
    const made = await api.request(`/api/v1/organizations/${world.orgs.acme}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.appKeys.acme}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'not an app', role: 'member' }),
    });
    const { secret } = (await made.json()) as { secret: string };
    const refused = await introspect(secret, { cookie: world.members.bob.cookie });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'AUTH_FORBIDDEN');
  });

  it('streams its own tenant revocations to an organization key and nothing of another tenant', async () => {
    const controller = new AbortController();
    const res = await fetch(`${world.url}/api/v1/revocations/stream`, {
      headers: { authorization: `Bearer ${world.appKeys.acme}` },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const next = async (): Promise<{ event: string; data: string }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const block = parseSseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (block && block.event !== 'ping') return block;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    };
    try {
      assert.equal((await next()).event, 'ready');
      const { acme, globex } = world.orgs;
      await world.gatehouse.store.db.transaction().execute(async (tx) => {
        await publishRevocation(tx, { kind: 'membership', organizationId: globex, userId: world.members.gus.userId });
        await publishRevocation(tx, { kind: 'membership', organizationId: acme, userId: world.members.bob.userId });
      });
      const heard = await next();
      assert.equal(heard.event, 'revocation');
      assert.deepEqual(JSON.parse(heard.data), {
        kind: 'membership',
        organizationId: acme,
        userId: world.members.bob.userId,
      });
    } finally {
      controller.abort();
    }
  });
});
