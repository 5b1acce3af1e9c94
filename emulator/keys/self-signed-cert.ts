// A minimal self-signed X.509 certificate for a signing key, DER-encoded by hand. WorkOS
// publishes `x5c` and `x5t#S256` in its JWKS (the OpenAPI schema requires them) and some
// relying parties pin the thumbprint, so each emulator key gets a real certificate that
// `node:crypto`'s X509Certificate parses and whose signature verifies with the key itself.
import { createHash, type KeyObject, sign } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [(parts[0] as number) * 40 + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] as number) | 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/**
 * A non-negative DER INTEGER from big-endian magnitude bytes. DER demands the minimal two's
 * complement form (X.690 8.3.2): leading zero bytes go unless the next byte has its high bit set,
 * and a magnitude whose high bit is set gets one zero byte so it stays positive. OpenSSL refuses a
 * certificate whose serial breaks this, so a hash-derived serial starting 0x00 0x01..0x7f did too.
 */
export function derInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const magnitude = Buffer.from(bytes.subarray(start));
  if (magnitude.length === 0) return tlv(0x02, Buffer.from([0]));
  return tlv(0x02, (magnitude[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-11-22T05:30:00.000Z -> 261122053000Z
  const text =
    iso.slice(2, 4) +
    iso.slice(5, 7) +
    iso.slice(8, 10) +
    iso.slice(11, 13) +
    iso.slice(14, 16) +
    iso.slice(17, 19) +
    'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

export interface SelfSignedCert {
  /** base64 DER, as `x5c` carries it */
  der: string;
  /** base64url SHA-256 of the DER, as `x5t#S256` carries it */
  thumbprint: string;
}

export function createSelfSignedCert(
  privateKey: KeyObject,
  publicKey: KeyObject,
  commonName: string,
  now: Date,
): SelfSignedCert {
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  // RFC 5280 4.1.2.2: a positive serial; the low bit set keeps an all-zero hash prefix from giving 0.
  const serial = createHash('sha256').update(commonName).digest().subarray(0, 16);
  serial[15] = (serial[15] as number) | 1;
  const tbs = seq(
    tlv(0xa0, derInteger(Buffer.from([2]))),
    derInteger(serial),
    SHA256_WITH_RSA,
    name,
    seq(utcTime(now), utcTime(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  return {
    der: cert.toString('base64'),
    thumbprint: createHash('sha256').update(cert).digest('base64url'),
  };
}
