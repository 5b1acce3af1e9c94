// Signed checkpoints: the head of an organization's log (organization, size, Merkle root, time)
// signed with Ed25519 by a key that never lives in the database. Threat: whoever controls the
// database can rewrite rows and recompute every hash and the stored head, but cannot sign; a
// tenant holding an earlier checkpoint then sees the log disagree with it.
//
// The signed bytes are this UTF-8 text (one field a line, each line ending in "\n"):
//   gatehouse-audit-checkpoint/v1
//   <organization id>
//   <size, decimal>
//   <root hash, 64 lowercase hex>
//   <issued at, ISO 8601 UTC with milliseconds>
import { createHash, createPrivateKey, createPublicKey, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';

const CHECKPOINT_HEADER = 'gatehouse-audit-checkpoint/v1';
/** Where the server publishes the JWKS of every trusted checkpoint key. */
export const AUDIT_JWKS_PATH = '/.well-known/gatehouse/audit-keys.json';

export interface Checkpoint {
  organizationId: string;
  size: number;
  rootHash: string;
  issuedAt: string;
  keyId: string;
  signature: string;
}

export const checkpointSchema = z.strictObject({
  kind: z.literal('checkpoint').optional(),
  organizationId: z.string().min(1),
  size: z.number().int().min(0),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  issuedAt: z.string().min(1),
  keyId: z.string().min(1),
  signature: z.string().min(1),
});

function checkpointMessage(c: Omit<Checkpoint, 'keyId' | 'signature'>): Buffer {
  return Buffer.from(`${CHECKPOINT_HEADER}\n${c.organizationId}\n${c.size}\n${c.rootHash}\n${c.issuedAt}\n`, 'utf8');
}

export interface AuditPublicKey {
  keyId: string;
  key: KeyObject;
  /** The JWK as published: { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }. */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
}

export interface CheckpointSigner {
  readonly keyId: string;
  sign(head: Omit<Checkpoint, 'keyId' | 'signature'>): Checkpoint;
}

/** The keys a verifier trusts, found by key id. */
export type TrustedKeys = ReadonlyMap<string, AuditPublicKey>;

// PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Derives the signing seed from GATEHOUSE_SECRET (HKDF-SHA256), so one secret can run a whole install. */
function seedFromSecret(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'gatehouse audit checkpoint signing key v1', 32));
}

function publicKeyFromJwkX(x: string): AuditPublicKey {
  const raw = Buffer.from(x, 'base64url');
  if (raw.length !== 32) throw new TypeError('an Ed25519 public key is 32 bytes');
  return describePublicKey(
    createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
  );
}

function describePublicKey(key: KeyObject): AuditPublicKey {
  const x = key.export({ format: 'jwk' }).x!;
  // RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order.
  const kid = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
  return { keyId: kid, key, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' } };
}

export interface AuditKeyRing {
  /** Signs new checkpoints; absent when no key is configured (checkpoints then cannot be issued). */
  signer: CheckpointSigner | undefined;
  /** Every key still trusted and published: the current one and every retired one. */
  trusted: TrustedKeys;
}

/**
 * Builds the key ring from configuration: the seeds in `signingKeys` (AUDIT_SIGNING_KEY, current
 * first) and the keys derived from `secrets` (GATEHOUSE_SECRET, then GATEHOUSE_PREVIOUS_SECRETS).
 * The first available one signs; all of them stay published, so checkpoints signed before a
 * rotation keep verifying.
 */
export function createAuditKeyRing(signingKeys: readonly Buffer[], secrets: readonly string[]): AuditKeyRing {
  const seeds = [...signingKeys, ...secrets.map(seedFromSecret)];
  const privateKeys = seeds.map(privateKeyFromSeed);
  const trusted = new Map<string, AuditPublicKey>();
  for (const key of privateKeys) {
    const described = describePublicKey(createPublicKey(key));
    trusted.set(described.keyId, described);
  }
  const current = privateKeys[0];
  if (!current) return { signer: undefined, trusted };
  const keyId = describePublicKey(createPublicKey(current)).keyId;
  return {
    signer: {
      keyId,
      sign: (head) => ({
        ...head,
        keyId,
        signature: sign(null, checkpointMessage(head), current).toString('base64url'),
      }),
    },
    trusted,
  };
}

/** The key ring a configuration names: AUDIT_SIGNING_KEY seeds first, then GATEHOUSE_SECRET's and GATEHOUSE_PREVIOUS_SECRETS'. */
export function auditKeyRingFor(config: {
  AUDIT_SIGNING_KEY?: readonly Buffer[] | undefined;
  GATEHOUSE_SECRET?: string | undefined;
  GATEHOUSE_PREVIOUS_SECRETS?: readonly string[] | undefined;
}): AuditKeyRing {
  const secrets = [config.GATEHOUSE_SECRET, ...(config.GATEHOUSE_PREVIOUS_SECRETS ?? [])].filter((s): s is string =>
    Boolean(s),
  );
  return createAuditKeyRing(config.AUDIT_SIGNING_KEY ?? [], secrets);
}

export function trustedKeysFromJwks(jwks: unknown): TrustedKeys {
  const parsed = z
    .object({ keys: z.array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() })) })
    .safeParse(jwks);
  if (!parsed.success) throw new AppError('AUDIT_KEYS_INVALID', 'The audit key set is not a JWKS of Ed25519 keys');
  return new Map(parsed.data.keys.map((k) => publicKeyFromJwkX(k.x)).map((k) => [k.keyId, k]));
}

export function jwksOf(trusted: TrustedKeys): { keys: AuditPublicKey['jwk'][] } {
  return { keys: [...trusted.values()].map((k) => k.jwk) };
}

export function verifyCheckpointSignature(c: Checkpoint, trusted: TrustedKeys): boolean {
  const key = trusted.get(c.keyId);
  if (!key) return false;
  const signature = Buffer.from(c.signature, 'base64url');
  return signature.length === 64 && verify(null, checkpointMessage(c), key.key, signature);
}
