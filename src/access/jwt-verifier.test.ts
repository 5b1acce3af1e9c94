// The JWKS cache: keys fetched once and shared by concurrent verifications; an unknown kid causes
// at most one refetch per cooldown, however many tokens carry it (no JWKS amplification).
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createJwtVerifier } from './jwt-verifier.ts';

const API = 'https://api.example.test';
const CLIENT = 'client_123';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

describe('JWT verifier', () => {
  it('shares one JWKS fetch among concurrent callers and refetches an unknown kid once per cooldown', async (t) => {
    // jose times its cooldown with Date: the test moves Date instead of sleeping, so a slow machine
    // (key generation, signing) cannot push a step past the cooldown.
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    t.after(() => mock.timers.reset());
    const known = await keyPair('k1');
    const rotated = await keyPair('k2');
    let published = [known.jwk];
    let fetches = 0;
    const fetchJwks = (async (url: string) => {
      fetches++;
      assert.equal(url, `${API}/sso/jwks/${CLIENT}`);
      return new Response(JSON.stringify({ keys: published }), { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const verify = createJwtVerifier({ apiBaseUrl: API, clientId: CLIENT, fetch: fetchJwks, jwksCooldownMs: 300 });
    const sign = (k: { kid: string; privateKey: CryptoKey }, sub = 'user_1') =>
      new SignJWT({ org_id: 'org_1', sid: 'session_1' })
        .setProtectedHeader({ alg: 'RS256', kid: k.kid })
        .setIssuer(`${API}/user_management/${CLIENT}`)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(k.privateKey);

    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => sign(known, `user_${i}`)));
    const claims = await Promise.all(tokens.map(verify));
    assert.equal(claims.length, 10);
    assert.equal(fetches, 1);

    // A key rotated in at the provider: once the cooldown since the last fetch has passed, the
    // first unknown kid triggers one refetch shared by all, and the new key verifies.
    published = [known.jwk, rotated.jwk];
    mock.timers.tick(350);
    const fresh = await Promise.all(Array.from({ length: 5 }, () => sign(rotated)));
    await Promise.all(fresh.map(verify));
    assert.equal(fetches, 2);

    // Random kids inside the cooldown: refused without another fetch.
    const stranger = await keyPair('k-random');
    const forged = await Promise.all(Array.from({ length: 20 }, () => sign(stranger)));
    const results = await Promise.allSettled(forged.map(verify));
    assert.ok(
      results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'AUTH_TOKEN_INVALID'),
    );
    assert.equal(fetches, 2);
  });
});
