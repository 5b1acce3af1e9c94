// The token vault: round trip, tampering and row swapping refused, and a rotated secret still
// decrypting what the previous one sealed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenVault } from './token-vault.ts';

const OLD = 'old-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const NEW = 'new-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

describe('token vault', () => {
  it('round-trips, and refuses tampered ciphertext and ciphertext moved to another row', () => {
    const vault = createTokenVault([NEW]);
    const { ciphertext, keyId } = vault.encrypt('refresh-token-value', 'ses_A:refresh');
    assert.equal(keyId, vault.keyId);
    assert.ok(!ciphertext.includes('refresh-token-value'));
    assert.equal(vault.decrypt(ciphertext, 'ses_A:refresh'), 'refresh-token-value');
    assert.throws(() => vault.decrypt(ciphertext, 'ses_B:refresh'));
    assert.throws(() => vault.decrypt(ciphertext, 'ses_A:access'));
    const parts = ciphertext.split('.');
    parts[2] = Buffer.from(`x${Buffer.from(parts[2]!, 'base64url').toString('latin1').slice(1)}`, 'latin1').toString(
      'base64url',
    );
    assert.throws(() => vault.decrypt(parts.join('.'), 'ses_A:refresh'));
  });

  it('decrypts under a previous secret after rotation and seals under the current one', () => {
    const before = createTokenVault([OLD]);
    const sealed = before.encrypt('token', 'ses_A:access').ciphertext;
    const rotated = createTokenVault([NEW, OLD]);
    assert.equal(rotated.decrypt(sealed, 'ses_A:access'), 'token');
    assert.notEqual(rotated.keyId, before.keyId);
    assert.ok(rotated.encrypt('token', 'ses_A:access').ciphertext.startsWith(`${rotated.keyId}.`));
    assert.throws(() => createTokenVault([NEW]).decrypt(sealed, 'ses_A:access'), /unknown key/);
    assert.throws(() => createTokenVault(['short']), TypeError);
  });
});
