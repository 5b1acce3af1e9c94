// WorkOS-style identifiers: `<prefix>_01…`, a ULID (48-bit millisecond time + 80 random bits in
// Crockford base32). Ids from one factory are strictly increasing even within one millisecond or
// when the clock offset moves backwards, so sorting by id is sorting by creation order — list
// pagination and the Events API `after` cursor rely on that.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_MAX = (1n << 80n) - 1n;

function encode(value: bigint, length: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(v & 31n)] + out;
    v >>= 5n;
  }
  return out;
}

export interface IdFactory {
  /** A new id such as `user_01HZ…`; `prefix` is the WorkOS object prefix without the underscore. */
  next(prefix: string): string;
  /** A bare ULID, for tokens and codes that carry no prefix. */
  ulid(): string;
}

export function createIdFactory(nowMs: () => number): IdFactory {
  let lastTime = 0;
  let lastRandom = 0n;
  const ulid = () => {
    let time = Math.max(nowMs(), lastTime);
    if (time === lastTime) {
      lastRandom += 1n;
      if (lastRandom > RANDOM_MAX) {
        time += 1;
        lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n;
      }
    } else {
      // Half the random space so increments within one millisecond never overflow in practice.
      lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n;
    }
    lastTime = time;
    return encode(BigInt(time), 10) + encode(lastRandom, 16);
  };
  return {
    ulid,
    next: (prefix) => `${prefix}_${ulid()}`,
  };
}
