import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openSigningKeys } from './signing-keys.ts';

test('tokens verify against the JWKS, which carries a real self-signed certificate', async () => {
  const keys = await openSigningKeys();
  const now = Math.floor(Date.now() / 1000);
  const token = await keys.sign({ sub: 'user_1' }, 300, now);
  const jwks = keys.jwks();
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks));
  assert.equal(payload.sub, 'user_1');
  assert.equal(payload.exp, now + 300);
  assert.equal(protectedHeader.kid, keys.current().kid);
  const jwk = jwks.keys[0]!;
  const cert = new X509Certificate(Buffer.from(jwk.x5c![0]!, 'base64'));
  assert.equal(cert.subject, `CN=${jwk.kid}`);
  assert.equal(cert.verify(cert.publicKey), true);
});

test('rotation keeps the old key published until dropped', async () => {
  const keys = await openSigningKeys();
  const now = Math.floor(Date.now() / 1000);
  const oldKid = keys.current().kid;
  const oldToken = await keys.sign({ sub: 'user_1' }, 300, now);
  await keys.rotate();
  assert.notEqual(keys.current().kid, oldKid);
  assert.equal(keys.jwks().keys.length, 2);
  await jwtVerify(oldToken, createLocalJWKSet(keys.jwks()));
  assert.equal(keys.drop(keys.current().kid), false, 'the current key cannot be dropped');
  assert.equal(keys.drop(oldKid), true);
  await assert.rejects(jwtVerify(oldToken, createLocalJWKSet(keys.jwks())));
});
