// Time-ordered ids in the WorkOS style: `<prefix>_<ULID>`. Sorting by id sorts by creation time,
// which keeps B-tree inserts append-mostly and makes ids usable as pagination cursors.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! % 32];
  return time + rand;
}

export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}
