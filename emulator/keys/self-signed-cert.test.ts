import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { createSelfSignedCert, derInteger } from './self-signed-cert.ts';

const runs = Number(process.env.PROPERTY_RUNS ?? 300);
const seed = Number(process.env.PROPERTY_SEED ?? 20261130);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const toBigInt = (bytes: Uint8Array) => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

test("derInteger is the minimal, positive two's complement form of any magnitude (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 24 }), (bytes) => {
      const der = derInteger(bytes);
      assert.equal(der[0], 0x02);
      assert.equal(der[1], der.length - 2, 'short-form length of the content');
      const content = der.subarray(2);
      assert.ok(content.length >= 1);
      assert.equal(content[0]! & 0x80, 0, 'a non-negative integer never starts with the sign bit');
      if (content.length > 1) {
        assert.ok(!(content[0] === 0 && content[1]! < 0x80), 'no redundant leading zero byte (X.690 8.3.2)');
      }
      assert.equal(toBigInt(content), toBigInt(bytes), 'the encoded value is the input value');
    }),
    { numRuns: runs * 10, seed },
  );
});

test('every generated certificate parses and verifies, whatever its name (property)', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40 }), (commonName) => {
      const cert = createSelfSignedCert(privateKey, publicKey, commonName, new Date('2026-11-30T00:00:00Z'));
      const parsed = new X509Certificate(Buffer.from(cert.der, 'base64'));
      assert.equal(parsed.verify(publicKey), true);
      assert.ok(BigInt(`0x${parsed.serialNumber}`) > 0n, 'RFC 5280: the serial is positive');
      const thumbprint = createHash('sha256').update(Buffer.from(cert.der, 'base64')).digest('base64url');
      assert.equal(cert.thumbprint, thumbprint);
    }),
    { numRuns: runs, seed },
  );
});

test('a name whose serial hash starts 0x00 0x01..0x7f (once 1 in ~300 keys) yields a parseable certificate', () => {
  let name = '';
  for (let i = 0; ; i++) {
    const hash = createHash('sha256').update(`sso_oidc_key_pair_${i}`).digest();
    if (hash[0] === 0 && hash[1]! < 0x80) {
      name = `sso_oidc_key_pair_${i}`;
      break;
    }
  }
  const cert = createSelfSignedCert(privateKey, publicKey, name, new Date());
  const parsed = new X509Certificate(Buffer.from(cert.der, 'base64'));
  assert.equal(parsed.subject, `CN=${name}`);
  assert.equal(parsed.verify(publicKey), true);
});
