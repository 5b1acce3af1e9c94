// RS256 signing keys for access tokens. Rotation adds a new current key and keeps the previous
// ones published in the JWKS until they are explicitly dropped, so tokens signed just before a
// rotation still verify at relying parties that refetch the JWKS (the real rollover window).
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { KeyObject, randomBytes } from 'node:crypto';
import { createSelfSignedCert } from './self-signed-cert.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  created_at: string;
}

/** A key as the state folder keeps it (the private half included: it signs after a restart). */
export interface StoredSigningKey {
  kid: string;
  created_at: string;
  public_jwk: JWK;
  private_jwk: JWK;
}

export interface SigningKeys {
  /** The key new tokens are signed with. */
  current(): SigningKey;
  /** Every published key, newest first. */
  all(): SigningKey[];
  /** Creates a new current key; older keys stay published. */
  rotate(): Promise<SigningKey>;
  /** Stops publishing a key (tokens it signed stop verifying). The current key cannot be dropped. */
  drop(kid: string): boolean;
  /** The JWKS document served at `/sso/jwks/{clientId}`. */
  jwks(): { keys: JWK[] };
  sign(claims: JWTPayload, expiresInSeconds: number, nowSeconds: number): Promise<string>;
  /** Every published key with its private half, newest first, for the state folder. */
  export(): Promise<StoredSigningKey[]>;
}

async function generate(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `sso_oidc_key_pair_${randomBytes(10).toString('hex')}`;
  const jwk = await exportJWK(publicKey);
  const now = new Date();
  const cert = createSelfSignedCert(KeyObject.from(privateKey), KeyObject.from(publicKey), kid, now);
  return {
    kid,
    privateKey,
    publicJwk: {
      alg: 'RS256',
      kty: 'RSA',
      use: 'sig',
      x5c: [cert.der],
      n: jwk.n,
      e: jwk.e,
      kid,
      'x5t#S256': cert.thumbprint,
    },
    created_at: now.toISOString(),
  };
}

async function restore(stored: StoredSigningKey): Promise<SigningKey> {
  const privateKey = (await importJWK(stored.private_jwk, 'RS256', { extractable: true })) as CryptoKey;
  return { kid: stored.kid, privateKey, publicJwk: stored.public_jwk, created_at: stored.created_at };
}

/** Fresh keys, or the stored ones (newest first) when a state folder kept them. */
export async function openSigningKeys(stored: StoredSigningKey[] = []): Promise<SigningKeys> {
  const keys: SigningKey[] = stored.length > 0 ? await Promise.all(stored.map(restore)) : [await generate()];
  const current = () => keys[0] as SigningKey;
  return {
    current,
    all: () => [...keys],
    async rotate() {
      const key = await generate();
      keys.unshift(key);
      return key;
    },
    drop(kid) {
      const index = keys.findIndex((k) => k.kid === kid);
      if (index <= 0) return false;
      keys.splice(index, 1);
      return true;
    },
    jwks: () => ({ keys: keys.map((k) => ({ ...k.publicJwk })) }),
    export: () =>
      Promise.all(
        keys.map(async (k) => ({
          kid: k.kid,
          created_at: k.created_at,
          public_jwk: k.publicJwk,
          private_jwk: await exportJWK(k.privateKey),
        })),
      ),
    async sign(claims, expiresInSeconds, nowSeconds) {
      const key = current();
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + expiresInSeconds)
        .sign(key.privateKey);
    },
  };
}
