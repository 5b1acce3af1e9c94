// Encrypts the provider's tokens at rest (AES-256-GCM). Threat: a database dump or backup leaking
// live WorkOS refresh tokens. The key is derived from GATEHOUSE_SECRET with HKDF, never stored; its
// id (a fingerprint) is stored beside the ciphertext so a rotated secret can still decrypt old
// rows (pass the previous secret after the current one) while new rows use the current key.
// The row id is bound as additional data: ciphertext copied into another session's row does not
// decrypt (threat: a tenant admin with SQL access moving a victim's tokens under their session).
//
// Exported API:
//   createTokenVault(secrets)            secrets[0] encrypts; all of them decrypt
//   vault.encrypt(plain, boundTo)        -> { keyId, ciphertext }
//   vault.decrypt(ciphertext, boundTo)   -> plain (throws on tampering or an unknown key)
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export interface TokenVault {
  readonly keyId: string;
  encrypt(plain: string, boundTo: string): { keyId: string; ciphertext: string };
  decrypt(ciphertext: string, boundTo: string): string;
}

const INFO = 'gatehouse token vault v1';

export function createTokenVault(secrets: readonly string[]): TokenVault {
  if (secrets.length === 0 || secrets.some((s) => s.length < 32))
    throw new TypeError('token vault needs secrets of at least 32 characters');
  const keys = new Map<string, Buffer>();
  for (const secret of secrets) {
    const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', INFO, 32));
    keys.set(createHash('sha256').update(key).digest('base64url').slice(0, 12), key);
  }
  const [currentId] = keys.keys();
  const current = keys.get(currentId!)!;
  return {
    keyId: currentId!,
    encrypt(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [
        currentId!,
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ];
      return { keyId: currentId!, ciphertext: parts.join('.') };
    },
    decrypt(ciphertext, boundTo) {
      const [keyId, iv, body, tag] = ciphertext.split('.');
      const key = keyId === undefined ? undefined : keys.get(keyId);
      if (!key || !iv || body === undefined || !tag)
        throw new Error('token vault: unknown key or malformed ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
