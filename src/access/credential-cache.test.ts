// The credential cache: each revocation kind evicts exactly the entries it names, a bus reset
// flushes all, entries end at their own notAfter, and the credential itself is never a key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthContext, RevocationEvent } from '../core/auth-context.ts';
import { createCredentialCache, type CacheTags } from './credential-cache.ts';

const ctx = (organizationId: string): AuthContext => ({
  principal: { type: 'user', userId: 'user_1' }, organizationId, role: 'member', permissions: [], authMethod: 'session', isSuperAdmin: false,
});

const ENTRIES: [string, CacheTags][] = [
  ['cookie-a', { organizationId: 'org_A', userId: 'user_1', sessionId: 'ses_1' }],
  ['cookie-b', { organizationId: 'org_B', userId: 'user_1', sessionId: 'ses_2' }],
  ['key-a', { organizationId: 'org_A', apiKeyId: 'key_1', userId: 'user_2' }],
  ['m2m-b', { organizationId: 'org_B' }],
];

describe('credential cache', () => {
  it('evicts exactly what each revocation names', () => {
    const cases: [RevocationEvent, string[]][] = [
      [{ kind: 'session', sessionId: 'ses_1' }, ['cookie-a']],
      [{ kind: 'api_key', apiKeyId: 'key_1' }, ['key-a']],
      [{ kind: 'user', userId: 'user_1' }, ['cookie-a', 'cookie-b']],
      [{ kind: 'user', userId: 'user_1', organizationId: 'org_B' }, ['cookie-b']],
      [{ kind: 'membership', organizationId: 'org_A', userId: 'user_2' }, ['key-a']],
      [{ kind: 'organization', organizationId: 'org_B', reason: 'sso_enforced' }, ['cookie-b', 'm2m-b']],
    ];
    for (const [event, evicted] of cases) {
      const cache = createCredentialCache({ ttlMs: 60_000 });
      for (const [credential, tags] of ENTRIES) cache.set('session_cookie', credential, ctx(tags.organizationId), tags);
      cache.onEvent(event);
      const gone = ENTRIES.map(([c]) => c).filter((c) => cache.get('session_cookie', c) === undefined);
      assert.deepEqual(gone, evicted, JSON.stringify(event));
    }
  });

  it('flushes on reset, honours notAfter and the TTL, and bounds its size', () => {
    let now = 1_000_000;
    const cache = createCredentialCache({ ttlMs: 10_000, clock: () => now });
    cache.set('session_cookie', 'secret-token-value', ctx('org_A'), { organizationId: 'org_A' }, now + 2_000);
    cache.set('session_cookie', 'other', ctx('org_A'), { organizationId: 'org_A' });
    now += 2_000;
    assert.equal(cache.get('session_cookie', 'secret-token-value'), undefined, 'its own end came first');
    assert.ok(cache.get('session_cookie', 'other'));
    now += 8_000;
    assert.equal(cache.get('session_cookie', 'other'), undefined, 'the TTL bounds the rest');
    cache.set('session_cookie', 'x', ctx('org_A'), { organizationId: 'org_A' });
    cache.onReset();
    assert.equal(cache.size, 0);
    const keys = createCredentialCache({ ttlMs: 1000, maxEntries: 2 });
    for (const c of ['a', 'b', 'c']) keys.set('session_cookie', c, ctx('org_A'), { organizationId: 'org_A' });
    assert.equal(keys.size, 2);
    assert.equal(keys.get('session_cookie', 'a'), undefined, 'the oldest entry makes room');
  });

  it('keys by credential kind: the same string presented as another kind finds nothing', () => {
    const cache = createCredentialCache({ ttlMs: 60_000 });
    cache.set('session_cookie', 'same-string', ctx('org_A'), { organizationId: 'org_A' });
    assert.ok(cache.get('session_cookie', 'same-string'));
    assert.equal(cache.get('jwt', 'same-string'), undefined);
    assert.equal(cache.get('api_key', 'same-string'), undefined);
    // An entry whose context another kind produced is never handed out, whatever its key.
    cache.set('api_key', 'k', ctx('org_A'), { organizationId: 'org_A' });
    assert.equal(cache.get('api_key', 'k'), undefined);
  });
});
