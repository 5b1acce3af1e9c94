// The credential cache: each revocation kind evicts exactly the entries it names, a bus reset
// flushes all, entries end at their own notAfter, and the credential itself is never a key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthContext, RevocationEvent } from '../core/auth-context.ts';
import { createCredentialCache, HOLD_MS, type CacheTags } from './credential-cache.ts';

const ctx = (organizationId: string): AuthContext => ({
  principal: { type: 'user', userId: 'user_1' },
  organizationId,
  role: 'member',
  permissions: [],
  authMethod: 'session',
  isSuperAdmin: false,
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

  it('a role revocation evicts every context holding the role in that organization, and personal keys there', () => {
    const cache = createCredentialCache({ ttlMs: 60_000 });
    const as = (
      role: string,
      organizationId: string,
      principal: AuthContext['principal'] = { type: 'user', userId: 'user_1' },
    ): AuthContext => ({ ...ctx(organizationId), role, principal });
    cache.set('session_cookie', 'auditor-a', as('auditor', 'org_A'), { organizationId: 'org_A', userId: 'user_1' });
    cache.set('session_cookie', 'auditor-b', as('auditor', 'org_B'), { organizationId: 'org_B', userId: 'user_1' });
    cache.set('session_cookie', 'member-a', as('member', 'org_A'), { organizationId: 'org_A', userId: 'user_3' });
    cache.set(
      'session_cookie',
      'personal-key-a',
      as('member', 'org_A', { type: 'api_key', apiKeyId: 'key_9', ownerUserId: 'user_1' }),
      { organizationId: 'org_A', apiKeyId: 'key_9' },
    );
    cache.onEvent({ kind: 'role', organizationId: 'org_A', role: 'auditor' });
    assert.deepEqual(
      ['auditor-a', 'auditor-b', 'member-a', 'personal-key-a'].filter(
        (c) => cache.get('session_cookie', c) === undefined,
      ),
      ['auditor-a', 'personal-key-a'],
    );
  });

  it('an event this instance published evicts at once and holds back re-caching until it is confirmed', () => {
    let now = 1_000_000;
    const cache = createCredentialCache({ ttlMs: 60_000, clock: () => now });
    const tags = { organizationId: 'org_A', userId: 'user_1', sessionId: 'ses_1' };
    cache.set('session_cookie', 'cookie-a', ctx('org_A'), tags);
    const event: RevocationEvent = { kind: 'session', sessionId: 'ses_1' };
    cache.onPublished!(event);
    assert.equal(cache.get('session_cookie', 'cookie-a'), undefined, 'evicted before the transaction commits');
    cache.set('session_cookie', 'cookie-a', ctx('org_A'), tags); // a request that read the row before the commit
    assert.equal(cache.get('session_cookie', 'cookie-a'), undefined, 'not cached again while unconfirmed');
    cache.set('session_cookie', 'cookie-b', ctx('org_A'), { ...tags, sessionId: 'ses_2' });
    assert.ok(cache.get('session_cookie', 'cookie-b'), 'other credentials cache as usual');
    cache.onEvent(event); // the NOTIFY came back: the revocation committed
    cache.set('session_cookie', 'cookie-a', ctx('org_A'), tags);
    assert.ok(cache.get('session_cookie', 'cookie-a'), 'after confirmation a fresh resolution may cache again');
    cache.onPublished!({ kind: 'session', sessionId: 'ses_3' }); // rolled back: never confirmed
    now += HOLD_MS;
    cache.set('session_cookie', 'cookie-c', ctx('org_A'), { ...tags, sessionId: 'ses_3' });
    assert.ok(cache.get('session_cookie', 'cookie-c'), 'the hold ends on its own');
  });
});
