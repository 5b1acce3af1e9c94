// The app-side client against a running Gatehouse over HTTP: introspection answers the same
// AuthContext the server acts on, tenants stay apart, a revoked session is refused by the app
// within a second through the revocation stream, and a dropped stream falls back to short TTLs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGatehouseClient, GatehouseError, type GatehouseClient } from '../../packages/client/src/index.ts';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';

const quiet = { warn: () => undefined, info: () => undefined };

async function refusal(promise: Promise<unknown>): Promise<GatehouseError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatehouseError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('@gatehouse/client against a running Gatehouse', () => {
  let world: AppWorld;
  let client: GatehouseClient;

  before(async () => {
    world = await startAppWorld();
    client = createGatehouseClient({ url: world.url, credential: world.appKeys.acme, logger: quiet });
    await client.ready;
  });
  after(async () => {
    client?.close();
    await world?.close();
  });

  const cookieRequest = (cookie: string) => ({
    headers: new Headers({ cookie: `other=1; gatehouse_session=${cookie}` }),
  });

  it('resolves a session cookie to the AuthContext, with can() and requireOrganization()', async () => {
    const { bob } = world.members;
    const auth = await client.authenticate(cookieRequest(bob.cookie));
    assert.deepEqual(auth.principal, { type: 'user', userId: bob.userId });
    assert.equal(auth.organizationId, world.orgs.acme);
    assert.equal(auth.sessionId, bob.sessionId);
    assert.equal(auth.can('members:read'), true);
    assert.equal(auth.can('members:manage'), false);
    assert.throws(() => auth.require('members:manage'), { code: 'AUTH_FORBIDDEN', status: 403 });
    auth.requireOrganization(world.orgs.acme);
    assert.throws(() => auth.requireOrganization(world.orgs.globex), { code: 'RESOURCE_NOT_FOUND', status: 404 });
  });

  it('resolves a bearer API key (Node-style header records too)', async () => {
    const auth = await client.authenticate({ headers: { authorization: `Bearer ${world.appKeys.acme}` } });
    assert.equal(auth.authMethod, 'api_key');
    assert.equal(auth.organizationId, world.orgs.acme);
  });

  it('answers refusals with Gatehouse codes and never lets a tenant key read another tenant', async () => {
    assert.equal((await refusal(client.authenticate({ headers: {} }))).code, 'AUTH_REQUIRED');
    assert.equal((await refusal(client.authenticate(cookieRequest('nonsense')))).status, 401);
    const other = await refusal(client.authenticate(cookieRequest(world.members.gus.cookie)));
    assert.equal(other.code, 'AUTH_INVALID_CREDENTIAL');
    const multiTenant = createGatehouseClient({
      url: world.url,
      credential: world.appKeys.staff,
      logger: quiet,
      revocationStream: false,
    });
    assert.equal(
      (await multiTenant.authenticate(cookieRequest(world.members.gus.cookie))).organizationId,
      world.orgs.globex,
    );
  });

  it('refuses to run with an app credential Gatehouse does not accept', async () => {
    const wrong = createGatehouseClient({
      url: world.url,
      credential: 'gth_live_notakey',
      logger: quiet,
      revocationStream: false,
    });
    assert.equal(
      (await refusal(wrong.authenticate(cookieRequest(world.members.bob.cookie)))).code,
      'CLIENT_UNAUTHORIZED',
    );
    // A member's session is no app credential (and a cookie is never a bearer).
    const member = createGatehouseClient({
      url: world.url,
      credential: world.members.bob.cookie,
      logger: quiet,
      revocationStream: false,
    });
    assert.equal(
      (await refusal(member.authenticate(cookieRequest(world.members.bob.cookie)))).code,
      'CLIENT_UNAUTHORIZED',
    );
  });

  it('refuses a revoked session within a second, though its answer was cached', async () => {
    const fresh = await world.signIn(world.members.ada);
    await client.authenticate(cookieRequest(fresh.cookie));
    const revokedAt = Date.now();
    await world.revokeSession(fresh);
    let refusedAfter: number | undefined;
    while (Date.now() - revokedAt < 1000) {
      const result = await client.authenticate(cookieRequest(fresh.cookie)).then(
        () => null,
        (e: GatehouseError) => e,
      );
      if (result) {
        assert.equal(result.code, 'SESSION_REVOKED');
        refusedAfter = Date.now() - revokedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(refusedAfter !== undefined, 'the app still accepted the revoked session after 1 s');
    console.log(`# revocation-to-refusal in the app: ${refusedAfter} ms`);
  });

  it('says so and caches briefly when the stream drops, then follows it again', async () => {
    const warnings: string[] = [];
    let cut: AbortController | null = null;
    // The one fault injected: the stream's connection is cut (a network drop we cannot make on loopback).
    const faultyFetch: typeof fetch = (input, init) => {
      if (String(input).endsWith('/revocations/stream')) {
        cut = new AbortController();
        const signal = init?.signal ? AbortSignal.any([init.signal, cut.signal]) : cut.signal;
        return fetch(input, { ...init, signal });
      }
      return fetch(input, init);
    };
    const watched = createGatehouseClient({
      url: world.url,
      credential: world.appKeys.acme,
      fetch: faultyFetch,
      fallbackTtlMs: 50,
      logger: { warn: (m) => warnings.push(m), info: () => undefined },
    });
    try {
      await watched.ready;
      assert.equal(watched.streaming, true);
      (cut as AbortController | null)?.abort();
      const deadline = Date.now() + 5000;
      while (!warnings.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.match(warnings[0] ?? '', /revocation stream down.*50 ms only/);
      while (!watched.streaming && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(watched.streaming, true, 'the stream reconnects');
    } finally {
      watched.close();
    }
  });

  it('treats a stream that goes silent as dropped (a peer that vanished without closing)', async () => {
    const warnings: string[] = [];
    const silent = createGatehouseClient({
      url: world.url,
      credential: world.appKeys.acme,
      silenceMs: 200, // Gatehouse pings every 15 s, so 200 ms of silence always trips it
      logger: { warn: (m) => warnings.push(m), info: () => undefined },
    });
    try {
      await silent.ready;
      const deadline = Date.now() + 5000;
      while (!warnings.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.match(warnings[0] ?? '', /went silent/);
    } finally {
      silent.close();
    }
  });
});
