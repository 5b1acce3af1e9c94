// Changing a user's email: WorkOS mails a one-time code to the new address and changes the email
// only when that code comes back, so nobody can move an account to an inbox they do not hold.
// Rules kept: the new email must differ (409 `email_change_not_needed`) and be free (409
// `email_not_available`); a new request replaces the pending one; the code lasts 10 minutes
// (`email_change_code_expired`), works once (`email_change_code_previously_used`) and allows five
// wrong guesses (then 429 `email_change_too_many_attempts`). Only the code's sha256 is kept; the
// outbox carries the code as the real service's email would.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { EmulatorError, conflict } from './errors.ts';
import { parseInput } from './input.ts';
import { findUserByEmail, requireUser } from './users.ts';
import { serializeUser } from './serialize.ts';

const TTL_MS = 10 * 60 * 1000;
const MAX_ATTEMPTS = 5;
const sha256 = (value: string) => createHash('sha256').update(value).digest();

const SendInput = z.object({ new_email: z.email() });
const ConfirmInput = z.object({ code: z.string().min(1) });

export function sendEmailChange(ctx: EmulatorContext, userId: string, body: unknown) {
  const user = requireUser(ctx, userId);
  const newEmail = parseInput(SendInput, body).new_email.toLowerCase();
  if (newEmail === user.email) throw conflict('email_change_not_needed', 'The user already has this email.');
  if (findUserByEmail(ctx, newEmail)) throw conflict('email_not_available', 'This email is already in use.');
  const { world } = ctx;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = world.clock.nowMs();
  const record = {
    user_id: user.id,
    new_email: newEmail,
    code_hash: sha256(code).toString('hex'),
    expires_at: new Date(now + TTL_MS).toISOString(),
    attempts: 0,
    used: false,
    created_at: world.nowIso(),
  };
  world.emailChanges.set(user.id, record);
  world.sendEmail('email_change', newEmail, 'Confirm your new email', `Your code is ${code}.`, {
    code,
    user_id: user.id,
  });
  return {
    object: 'email_change' as const,
    user: serializeUser(user),
    new_email: newEmail,
    expires_at: record.expires_at,
    created_at: record.created_at,
  };
}

export function confirmEmailChange(ctx: EmulatorContext, userId: string, body: unknown) {
  const user = requireUser(ctx, userId);
  const { code } = parseInput(ConfirmInput, body);
  const { world } = ctx;
  const pending = world.emailChanges.get(user.id);
  if (!pending) throw conflict('no_pending_email_change', 'There is no pending email change for this user.');
  if (pending.used) throw conflict('email_change_code_previously_used', 'This code was already used.');
  if (pending.attempts >= MAX_ATTEMPTS) {
    throw new EmulatorError(429, {
      code: 'email_change_too_many_attempts',
      message: 'Too many attempts; request a new code.',
    });
  }
  if (Date.parse(pending.expires_at) <= world.clock.nowMs()) {
    throw new EmulatorError(400, { code: 'email_change_code_expired', message: 'The code has expired.' });
  }
  if (!timingSafeEqual(sha256(code), Buffer.from(pending.code_hash, 'hex'))) {
    pending.attempts += 1;
    throw new EmulatorError(400, { code: 'email_change_code_incorrect', message: 'The code is incorrect.' });
  }
  // The address may have been taken since the code was sent.
  if (findUserByEmail(ctx, pending.new_email)) throw conflict('email_not_available', 'This email is already in use.');
  pending.used = true;
  user.email = pending.new_email;
  // The code proved the new inbox.
  user.email_verified = true;
  user.updated_at = world.nowIso();
  world.emit('user.updated', user);
  return { object: 'email_change_confirmation' as const, user: serializeUser(user) };
}
