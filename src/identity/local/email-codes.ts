// One-time sign-in codes of the built-in email provider (AUTH_PROVIDER=local). Threats and answers:
// - Guessing: 6 digits from crypto.randomInt (a CSPRNG); a code dies at first use, after 10 minutes
//   and after 5 wrong tries, and a new code supersedes the email's older ones. Requests are limited
//   per email and per source address, so an attacker gets at most 5 guesses per code and a bounded
//   number of codes per window (a one-in-200,000 chance per code).
// - A reader of the database: only HMAC-SHA256(GATEHOUSE_SECRET, email NUL code) is stored. The
//   email inside the MAC binds a code to the address it was sent to: a code mailed to one address
//   never opens another.
// - Account enumeration: issuing a code never looks at accounts. Every well-formed email gets the
//   same statements, the same insert and the same mail, so the answer and the work are identical
//   whether or not the address has an account (the verification step decides who may enter).
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Database } from '../../store/schema.ts';
import { asSystem } from '../../store/tenant.ts';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_WRONG_TRIES = 5;
export const REQUEST_WINDOW_MS = 15 * 60_000;
export const MAX_CODES_PER_EMAIL = 5;
export const MAX_CODES_PER_SOURCE = 20;
export const CODE_DIGITS = 6;

export type RedeemResult = 'ok' | 'invalid' | 'expired';

export interface EmailCodes {
  /** A fresh code for `email` (returned once, to be mailed); AUTH_CODE_RATE_LIMITED past the limits. */
  issue(email: string, source: string | null): Promise<string>;
  /** Spends the email's live code if `code` matches it; a wrong try counts against it. */
  redeem(email: string, code: string): Promise<RedeemResult>;
}

/** Lower-cased and trimmed: one mailbox, one code, one limit however it is typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createEmailCodes(deps: { db: Kysely<Database>; secret: string; clock?: () => number }): EmailCodes {
  const { db } = deps;
  const clock = deps.clock ?? Date.now;
  const mac = (email: string, code: string) =>
    createHmac('sha256', deps.secret).update(`email-code\0${email}\0${code}`).digest();

  return {
    async issue(rawEmail, source) {
      const email = normalizeEmail(rawEmail);
      const now = clock();
      const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
      await asSystem(db, 'issue an email sign-in code', async (tx) => {
        const since = new Date(now - REQUEST_WINDOW_MS);
        const perEmail = await tx
          .selectFrom('email_sign_in_codes')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('email', '=', email)
          .where('created_at', '>', since)
          .executeTakeFirstOrThrow();
        // Always the same statements: a missing source counts under its own (empty) key.
        const perSource = await tx
          .selectFrom('email_sign_in_codes')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('source_address', '=', source ?? '')
          .where('created_at', '>', since)
          .executeTakeFirstOrThrow();
        if (Number(perEmail.n) >= MAX_CODES_PER_EMAIL || Number(perSource.n) >= MAX_CODES_PER_SOURCE) {
          throw new AppError('AUTH_CODE_RATE_LIMITED', 'Too many sign-in codes were asked for; try again later', {
            retryable: true,
            details: { retryAfterSeconds: Math.ceil(REQUEST_WINDOW_MS / 1000) },
          });
        }
        await tx
          .updateTable('email_sign_in_codes')
          .set({ ended_at: new Date(now), ended_reason: 'superseded' })
          .where('email', '=', email)
          .where('ended_at', 'is', null)
          .execute();
        await tx
          .insertInto('email_sign_in_codes')
          .values({
            id: newId('esc'),
            email,
            code_hash: mac(email, code).toString('base64url'),
            source_address: source ?? '',
            created_at: new Date(now),
            expires_at: new Date(now + CODE_TTL_MS),
          })
          .execute();
      });
      return code;
    },

    async redeem(rawEmail, code) {
      const email = normalizeEmail(rawEmail);
      const now = clock();
      return asSystem(db, 'redeem an email sign-in code', async (tx) => {
        // Row lock: two concurrent tries of one code are counted (and spent) one after the other.
        const row = await tx
          .selectFrom('email_sign_in_codes')
          .selectAll()
          .where('email', '=', email)
          .where('ended_at', 'is', null)
          .orderBy('created_at', 'desc')
          .limit(1)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return 'invalid';
        if (now >= row.expires_at.getTime()) return 'expired';
        const expected = Buffer.from(row.code_hash, 'base64url');
        const given = mac(email, code);
        if (expected.length === given.length && timingSafeEqual(expected, given)) {
          await tx
            .updateTable('email_sign_in_codes')
            .set({ ended_at: new Date(now), ended_reason: 'used' })
            .where('id', '=', row.id)
            .execute();
          return 'ok';
        }
        const attempts = row.attempts + 1;
        await tx
          .updateTable('email_sign_in_codes')
          .set({
            attempts,
            ...(attempts >= MAX_WRONG_TRIES
              ? { ended_at: new Date(now), ended_reason: 'too_many_attempts' as const }
              : {}),
          })
          .where('id', '=', row.id)
          .execute();
        return 'invalid';
      });
    },
  };
}
