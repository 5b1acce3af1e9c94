import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, totpCode, verifyTotp } from './totp.ts';

// RFC 6238 appendix B: secret "12345678901234567890", SHA1, 8 digits; we use the last 6.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));

test('matches the RFC 6238 test vectors (6-digit suffix)', () => {
  assert.equal(totpCode(RFC_SECRET, 59_000), '287082');
  assert.equal(totpCode(RFC_SECRET, 1_111_111_109_000), '081804');
  assert.equal(totpCode(RFC_SECRET, 2_000_000_000_000), '279037');
});

test('base32 round-trips and verification allows one step of drift only', () => {
  assert.equal(base32Decode(RFC_SECRET).toString(), '12345678901234567890');
  const now = 1_700_000_000_000;
  assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now), true);
  assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 90_000), now), false);
});
