// Magic auth codes, email verification codes and password reset tokens: short-lived secrets
// WorkOS mails to a user. Each is single use, expires against the emulator clock, and locks
// after too many wrong guesses so brute-forcing a 6-digit code is not possible.
import { z } from 'zod';
import { randomBytes, randomInt } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { OneTimeCode, PasswordResetRecord, UserWire } from '../state/types.ts';
import { hashPassword } from '../state/password.ts';
import { EmulatorError, badRequest, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { createUser, findUserByEmail, requireUser } from './users.ts';
import { serializeUser } from './serialize.ts';

const CODE_TTL_MS = 10 * 60 * 1000;
const RESET_TTL_MS = 60 * 60 * 1000;
const MAX_ATTEMPTS = 5;

const CreateMagicAuthInput = z.object({ email: z.email(), invitation_token: z.string().optional() });
const CreatePasswordResetInput = z.object({ email: z.email() });
const ResetPasswordInput = z.object({ token: z.string().min(1), new_password: z.string().min(1) });
const VerifyEmailInput = z.object({ code: z.string().min(1) });

function sixDigits(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

function newCode(ctx: EmulatorContext, prefix: string, user: UserWire): OneTimeCode {
  const now = ctx.world.nowIso();
  return {
    id: ctx.world.newId(prefix),
    user_id: user.id,
    email: user.email,
    code: sixDigits(),
    expires_at: new Date(ctx.world.clock.nowMs() + CODE_TTL_MS).toISOString(),
    created_at: now,
    updated_at: now,
    used: false,
    attempts: 0,
  };
}

function codeWire(object: 'magic_auth' | 'email_verification', record: OneTimeCode, withCode: boolean) {
  const { used: _used, attempts: _attempts, code, ...rest } = record;
  return { object, ...rest, ...(withCode ? { code } : {}) };
}

/** Creates and mails a magic auth code; a user is created for an unknown email, as WorkOS does. */
export function createMagicAuth(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(CreateMagicAuthInput, body);
  const email = input.email.toLowerCase();
  const user = findUserByEmail(ctx, email) ?? ctx.world.users.get(createUser(ctx, { email }).id)!;
  const record = newCode(ctx, 'magic_auth', user);
  ctx.world.magicAuths.set(record.id, record);
  ctx.world.emit('magic_auth.created', codeWire('magic_auth', record, false));
  ctx.world.sendEmail(
    'magic_auth',
    email,
    'Your sign-in code',
    `Your sign-in code is ${record.code}. It expires in 10 minutes.`,
    { code: record.code, magic_auth_id: record.id },
  );
  return codeWire('magic_auth', record, true);
}

export function getMagicAuth(ctx: EmulatorContext, id: string) {
  const record = ctx.world.magicAuths.get(id);
  if (!record) throw notFound('MagicAuth', id);
  return codeWire('magic_auth', record, true);
}

/**
 * Checks a code against the newest unused code for the email. Wrong guesses count against
 * every live code of that email so that spraying codes across resends does not help.
 */
export interface CodeErrors {
  invalid: string;
  expired: string;
  used: string;
  tooMany: string;
}

/** The codes `/user_management/authenticate` answers for one-time codes. */
const GRANT_CODE_ERRORS: CodeErrors = {
  invalid: 'invalid_one_time_code',
  expired: 'one_time_code_expired',
  used: 'one_time_code_previously_used',
  tooMany: 'one_time_code_too_many_attempts',
};

/** The codes the email verification confirm endpoint answers. */
const CONFIRM_CODE_ERRORS: CodeErrors = {
  invalid: 'email_verification_code_incorrect',
  expired: 'email_verification_code_expired',
  used: 'email_verification_code_previously_used',
  tooMany: 'email_verification_code_incorrect',
};

export function consumeCode(
  ctx: EmulatorContext,
  codes: Map<string, OneTimeCode>,
  userId: string,
  code: string,
  errors: CodeErrors = GRANT_CODE_ERRORS,
): OneTimeCode {
  const live = [...codes.values()]
    .filter((c) => c.user_id === userId && !c.used)
    .sort((a, b) => (a.id < b.id ? 1 : -1));
  const match = live.find((c) => c.code === code);
  const usedMatch = [...codes.values()].find((c) => c.user_id === userId && c.used && c.code === code);
  if (!match) {
    for (const c of live) c.attempts += 1;
    if (usedMatch) throw badRequest(errors.used, 'The code has already been used.');
    if (live.some((c) => c.attempts > MAX_ATTEMPTS))
      throw badRequest(errors.tooMany, 'Too many attempts; request a new code.');
    throw badRequest(errors.invalid, 'The code is invalid.');
  }
  if (match.attempts >= MAX_ATTEMPTS) throw badRequest(errors.tooMany, 'Too many attempts; request a new code.');
  if (Date.parse(match.expires_at) <= ctx.world.clock.nowMs())
    throw badRequest(errors.expired, 'The code has expired.');
  match.used = true;
  match.updated_at = ctx.world.nowIso();
  return match;
}

/** Creates and mails an email verification code for a user. */
export function sendEmailVerification(
  ctx: EmulatorContext,
  userId: string,
  options: { refuseVerified?: boolean } = {},
) {
  const user = requireUser(ctx, userId);
  if (options.refuseVerified && user.email_verified)
    throw badRequest('email_already_verified', 'The email address is already verified.');
  const record = newCode(ctx, 'email_verification', user);
  ctx.world.emailVerifications.set(record.id, record);
  ctx.world.emit('email_verification.created', codeWire('email_verification', record, false));
  ctx.world.sendEmail(
    'email_verification',
    user.email,
    'Verify your email',
    `Your verification code is ${record.code}.`,
    { code: record.code, email_verification_id: record.id },
  );
  return { record, user: serializeUser(user) };
}

export function getEmailVerification(ctx: EmulatorContext, id: string) {
  const record = ctx.world.emailVerifications.get(id);
  if (!record) throw notFound('EmailVerification', id);
  return codeWire('email_verification', record, true);
}

export function markEmailVerified(ctx: EmulatorContext, user: UserWire): void {
  if (user.email_verified) return;
  user.email_verified = true;
  user.updated_at = ctx.world.nowIso();
  ctx.world.emit('user.updated', user);
}

/**
 * `reprove`: a sign-in whose credential does not prove the inbox (an SSO profile outside the
 * organization's domains) asks even a verified user for a fresh code.
 */
export function confirmEmailVerification(
  ctx: EmulatorContext,
  userId: string,
  body: unknown,
  options: { reprove?: boolean } = {},
) {
  const input = parseInput(VerifyEmailInput, body);
  const user = requireUser(ctx, userId);
  if (user.email_verified && !options.reprove)
    throw badRequest('email_previously_verified', 'The email address is already verified.');
  consumeCode(ctx, ctx.world.emailVerifications, userId, input.code, CONFIRM_CODE_ERRORS);
  markEmailVerified(ctx, user);
  return { user: serializeUser(user) };
}

function resetWire(ctx: EmulatorContext, record: PasswordResetRecord, withToken: boolean) {
  return {
    object: 'password_reset' as const,
    id: record.id,
    user_id: record.user_id,
    email: record.email,
    expires_at: record.expires_at,
    created_at: record.created_at,
    ...(withToken
      ? {
          password_reset_token: record.token,
          password_reset_url: `${ctx.config.baseUrl}/reset-password?token=${record.token}`,
        }
      : {}),
  };
}

export function createPasswordReset(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(CreatePasswordResetInput, body);
  const user = findUserByEmail(ctx, input.email);
  if (!user) throw notFound('User', input.email.toLowerCase());
  const record: PasswordResetRecord = {
    id: ctx.world.newId('password_reset'),
    user_id: user.id,
    email: user.email,
    token: randomBytes(24).toString('base64url'),
    expires_at: new Date(ctx.world.clock.nowMs() + RESET_TTL_MS).toISOString(),
    created_at: ctx.world.nowIso(),
    used: false,
  };
  ctx.world.passwordResets.set(record.id, record);
  const wire = resetWire(ctx, record, true);
  const url = `${ctx.config.baseUrl}/reset-password?token=${record.token}`;
  ctx.world.emit('password_reset.created', resetWire(ctx, record, false));
  ctx.world.sendEmail('password_reset', user.email, 'Reset your password', `Reset your password: ${url}`, {
    token: record.token,
    url,
    password_reset_id: record.id,
  });
  return wire;
}

export function getPasswordReset(ctx: EmulatorContext, id: string) {
  const record = ctx.world.passwordResets.get(id);
  if (!record) throw notFound('PasswordReset', id);
  return resetWire(ctx, record, true);
}

/** Sets the new password; ending the user's sessions is left to the caller's policy, as in WorkOS. */
export function confirmPasswordReset(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(ResetPasswordInput, body);
  const record = [...ctx.world.passwordResets.values()].find((r) => r.token === input.token);
  const refuse = (code: string, message: string) =>
    new EmulatorError(400, {
      code: 'password_reset_error',
      message: 'The password could not be reset.',
      errors: [{ code, message }],
    });
  if (!record || record.used) throw refuse('password_reset_token_invalid', 'The password reset token is invalid.');
  if (Date.parse(record.expires_at) <= ctx.world.clock.nowMs())
    throw refuse('password_reset_token_expired', 'The password reset token has expired.');
  const user = requireUser(ctx, record.user_id);
  record.used = true;
  ctx.world.passwordHashes.set(user.id, hashPassword(input.new_password));
  // Proving control of the mailbox verifies the address too.
  markEmailVerified(ctx, user);
  ctx.world.emit('password_reset.succeeded', resetWire(ctx, record, false));
  return { user: serializeUser(user) };
}
