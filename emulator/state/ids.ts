// WorkOS-style identifiers: `<prefix>_01…`, a ULID (48-bit millisecond time + 80 random bits in
// Crockford base32). Ids from one factory are strictly increasing even within one millisecond or
// when the clock offset moves backwards, so sorting by id is sorting by creation order — list
// pagination and the Events API `after` cursor rely on that.
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TWO_40 = 2 ** 40;
const TWO_32 = 2 ** 32;

/** `length` Crockford base32 digits of a non-negative integer below 2^53. */
function encode(value: number, length: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[v % 32] + out;
    v = Math.floor(v / 32);
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
  // The 80 random bits as two 40-bit halves in plain numbers (no BigInt), and random bytes drawn
  // from a refilled pool: every SCIM write mints several ids, so this sits on the hot path.
  const pool = Buffer.alloc(4096);
  let used = pool.length;
  let lastTime = 0;
  let high = 0;
  let low = 0;
  const fresh = () => {
    if (used + 10 > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    // Half the random space (top bit clear) so increments within one millisecond never overflow in practice.
    high = ((pool[used] as number) & 0x7f) * TWO_32 + pool.readUInt32BE(used + 1);
    low = (pool[used + 5] as number) * TWO_32 + pool.readUInt32BE(used + 6);
    used += 10;
  };
  const ulid = () => {
    let time = Math.max(nowMs(), lastTime);
    if (time === lastTime) {
      low += 1;
      if (low === TWO_40) {
        low = 0;
        high += 1;
        if (high === TWO_40) {
          time += 1;
          fresh();
        }
      }
    } else {
      fresh();
    }
    lastTime = time;
    return encode(time, 10) + encode(high, 8) + encode(low, 8);
  };
  return {
    ulid,
    next: (prefix) => `${prefix}_${ulid()}`,
  };
}
