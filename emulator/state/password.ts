// Password hashing with scrypt from node:crypto. The stored form is self-describing
// (`scrypt$N$r$p$salt$hash`) so parameters can change without breaking seeded users.
// Verification uses timingSafeEqual so a caller cannot learn a hash prefix from response times.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

// Deliberately modest cost: this is an offline emulator hashing demo passwords in tests,
// and seeding a few hundred users must stay fast on a 2-core machine.
const N = 1024;
const R = 8;
const P = 1;
const KEYLEN = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEYLEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashText, 'base64url');
  const actual = scryptSync(password, Buffer.from(saltText, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
