// The one authenticated-encryption box (AES-256-GCM) for everything Gatehouse keeps sealed: the
// provider's tokens at rest (threat: a database dump leaking live refresh tokens), the client secrets
// of direct OIDC connections (same threat), and the sign-in
// state cookies (threat: a browser reading or forging its own OAuth state and PKCE verifier).
//
// Keys are derived from GATEHOUSE_SECRET with HKDF, never stored. Each purpose derives its own key
// (HKDF `info`), so a blob sealed for one purpose never opens for another (threat: a login cookie
// replayed as a vault ciphertext, or the reverse). The caller's `boundTo` is additional data: the
// row id and column for the vault, the cookie's role for the sign-in state, so a blob copied to
// another row or cookie does not open either.
//
// Rotation: the key id (a fingerprint of the derived key) leads the blob. `secrets[0]` seals; every
// secret given (GATEHOUSE_PREVIOUS_SECRETS after the current one) opens, so rows and in-flight
// cookies sealed before a rotation still open after it.
//
// Wire format: `keyId.iv.body.tag`, base64url. Sign-in cookies carry the literal `v1` where the key
// id stands (as they did before this box, so both releases read each other's; see below); a `v1`
// blob opens under any of the secrets.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export type SealedBoxPurpose = 'token-vault' | 'sign-in-state' | 'connection-secret';

export interface SealedBox {
  /** The id of the key that seals; stored beside vault ciphertext. */
  readonly keyId: string;
  seal(plain: string, boundTo: string): string;
  /** Throws on tampering, another purpose's or binding's blob, or a key no longer given. */
  open(sealed: string, boundTo: string): string;
}

/** HKDF `info` per purpose. Never change one: every blob sealed under it would stop opening. */
const KEY_INFO: Record<SealedBoxPurpose, string> = {
  'token-vault': 'gatehouse token vault v1',
  'sign-in-state': 'gatehouse sign-in state v1',
  'connection-secret': 'gatehouse connection secret v1',
};

/** What sign-in cookies sealed before key ids carried in the key id's place. */
const UNIDENTIFIED_KEY = 'v1';

/**
 * Sign-in cookies still carry `v1`, not the key id: during a rolling upgrade a sign-in may start on
 * an instance of this release and finish on one of the previous release, which opens only `v1`
 * blobs. Opening a `v1` blob tries every secret given (a handful at most); vault rows, which live
 * long and are many, keep the key id.
 */
const LABELLED_BY_VERSION: ReadonlySet<SealedBoxPurpose> = new Set(['sign-in-state']);

export function createSealedBox(purpose: SealedBoxPurpose, secrets: readonly string[]): SealedBox {
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length < 32))
    throw new TypeError('a sealed box needs GATEHOUSE_SECRET (and previous secrets) of at least 32 characters');
  const keys = new Map<string, Buffer>();
  for (const secret of secrets) {
    const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', KEY_INFO[purpose], 32));
    keys.set(createHash('sha256').update(key).digest('base64url').slice(0, 12), key);
  }
  const currentId = keys.keys().next().value as string;
  const current = keys.get(currentId)!;
  const label = LABELLED_BY_VERSION.has(purpose) ? UNIDENTIFIED_KEY : currentId;
  return {
    keyId: currentId,
    seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [label, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join('.');
    },
    open(sealed, boundTo) {
      const [keyId, iv, body, tag, extra] = sealed.split('.');
      const candidates = keyId === UNIDENTIFIED_KEY ? [...keys.values()] : [keys.get(keyId ?? '')];
      if (!candidates[0] || !iv || body === undefined || !tag || extra !== undefined)
        throw new Error('sealed box: unknown key or malformed ciphertext');
      let failure: unknown;
      for (const key of candidates) {
        try {
          return decrypt(key!, iv, body, tag, boundTo);
        } catch (error) {
          failure = error;
        }
      }
      throw new Error('sealed box: ciphertext does not open', { cause: failure });
    },
  };
}

function decrypt(key: Buffer, iv: string, body: string, tag: string, boundTo: string): string {
  // A fixed tag length: a truncated tag would make forgery cheaper.
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
