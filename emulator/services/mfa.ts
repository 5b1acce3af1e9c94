// Second factors for AuthKit users: TOTP enrollment, challenges and verification, and the
// sign-in policy step that answers `mfa_enrollment` / `mfa_challenge`. SSO sign-ins are left
// to the identity provider's own MFA, as in WorkOS.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { AuthChallengeRecord, AuthFactorRecord, PendingSignIn, UserWire } from '../state/types.ts';
import { EmulatorError, badRequest, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireUser } from './users.ts';
import { serializeUser } from './serialize.ts';
import { newTotpSecret, verifyTotp } from './totp.ts';

const CHALLENGE_TTL_MS = 10 * 60 * 1000;
const MAX_ATTEMPTS = 5;

const EnrollFactorInput = z.object({
  type: z.literal('totp'),
  totp_issuer: z.string().min(1).optional(),
  totp_user: z.string().min(1).optional(),
  totp_secret: z
    .string()
    .regex(/^[A-Z2-7]+=*$/i)
    .optional(),
});

export const VerifyChallengeInput = z.object({ code: z.string().min(1) });

function factorWire(factor: AuthFactorRecord) {
  return {
    object: 'authentication_factor' as const,
    id: factor.id,
    type: factor.type,
    ...(factor.user_id ? { user_id: factor.user_id } : {}),
    totp: { issuer: factor.issuer, user: factor.user },
    created_at: factor.created_at,
    updated_at: factor.updated_at,
  };
}

function challengeWire(challenge: AuthChallengeRecord) {
  return {
    object: 'authentication_challenge' as const,
    id: challenge.id,
    expires_at: challenge.expires_at,
    authentication_factor_id: challenge.authentication_factor_id,
    created_at: challenge.created_at,
    updated_at: challenge.updated_at,
  };
}

function requireFactor(ctx: EmulatorContext, id: string): AuthFactorRecord {
  const factor = ctx.world.authFactors.get(id);
  if (!factor) throw notFound('AuthenticationFactor', id);
  return factor;
}

export function userFactors(ctx: EmulatorContext, userId: string): AuthFactorRecord[] {
  return [...ctx.world.authFactors.values()].filter((f) => f.user_id === userId);
}

export function createChallenge(ctx: EmulatorContext, factorId: string) {
  requireFactor(ctx, factorId);
  const now = ctx.world.nowIso();
  const challenge: AuthChallengeRecord = {
    id: ctx.world.newId('auth_challenge'),
    authentication_factor_id: factorId,
    expires_at: new Date(ctx.world.clock.nowMs() + CHALLENGE_TTL_MS).toISOString(),
    created_at: now,
    updated_at: now,
    attempts: 0,
    verified: false,
  };
  ctx.world.authChallenges.set(challenge.id, challenge);
  return challengeWire(challenge);
}

/** Enrolls a TOTP factor and opens its first challenge. The QR code is a data URI of the otpauth URI (no image offline). */
export function enrollFactor(ctx: EmulatorContext, userId: string, body: unknown) {
  const input = parseInput(EnrollFactorInput, body);
  const user = requireUser(ctx, userId);
  const { factor, totp } = insertTotpFactor(
    ctx,
    user.id,
    input.totp_issuer ?? 'Gatehouse',
    input.totp_user ?? user.email,
    input.totp_secret,
  );
  return {
    authentication_factor: { ...factorWire(factor), totp },
    authentication_challenge: createChallenge(ctx, factor.id),
  };
}

const StandaloneEnrollInput = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('totp'),
    totp_issuer: z.string().min(1),
    totp_user: z.string().min(1),
    user_id: z.string().min(1).optional(),
  }),
  z.object({ type: z.literal('sms'), phone_number: z.string().min(1), user_id: z.string().optional() }),
  z.object({ type: z.literal('generic_otp'), user_id: z.string().optional() }),
]);

/**
 * The MFA API's own enrollment (`POST /auth/factors/enroll`): a TOTP factor, optionally tied to a
 * user. SMS and generic OTP factors need a phone network or an out-of-band channel the emulator
 * does not have, so they are refused (422) rather than enrolled and never delivered.
 */
export function enrollStandaloneFactor(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(StandaloneEnrollInput, body);
  if (input.type !== 'totp') {
    throw new EmulatorError(422, {
      code: 'invalid_request_parameters',
      message: `Factors of type '${input.type}' are not emulated; enroll a totp factor.`,
      errors: [{ field: 'type', code: 'unsupported_factor_type' }],
    });
  }
  if (input.user_id) requireUser(ctx, input.user_id);
  const { factor, totp } = insertTotpFactor(ctx, input.user_id ?? null, input.totp_issuer, input.totp_user);
  return { ...factorWire(factor), totp };
}

function insertTotpFactor(ctx: EmulatorContext, userId: string | null, issuer: string, user: string, secret?: string) {
  const now = ctx.world.nowIso();
  const factor: AuthFactorRecord = {
    id: ctx.world.newId('auth_factor'),
    user_id: userId,
    type: 'totp',
    issuer,
    user,
    secret: (secret ?? newTotpSecret()).toUpperCase().replace(/=+$/, ''),
    created_at: now,
    updated_at: now,
  };
  ctx.world.authFactors.set(factor.id, factor);
  const uri = `otpauth://totp/${encodeURIComponent(factor.issuer)}:${encodeURIComponent(factor.user)}?secret=${factor.secret}&issuer=${encodeURIComponent(factor.issuer)}`;
  const totp = {
    issuer: factor.issuer,
    user: factor.user,
    secret: factor.secret,
    uri,
    qr_code: `data:text/plain;base64,${Buffer.from(uri).toString('base64')}`,
  };
  return { factor, totp };
}

export function listFactors(ctx: EmulatorContext, userId: string, params: ListParams) {
  requireUser(ctx, userId);
  return paginate(userFactors(ctx, userId), params, factorWire);
}

export function getFactor(ctx: EmulatorContext, id: string) {
  return factorWire(requireFactor(ctx, id));
}

export function deleteFactor(ctx: EmulatorContext, id: string): void {
  requireFactor(ctx, id);
  ctx.world.authFactors.delete(id);
}

/** Checks a TOTP code against a challenge; a challenge verifies once, then it is spent. */
export function verifyChallenge(
  ctx: EmulatorContext,
  challengeId: string,
  code: string,
): { challenge: ReturnType<typeof challengeWire>; valid: boolean; userId: string | null } {
  const challenge = ctx.world.authChallenges.get(challengeId);
  if (!challenge) throw notFound('AuthenticationChallenge', challengeId);
  const factor = requireFactor(ctx, challenge.authentication_factor_id);
  if (challenge.attempts >= MAX_ATTEMPTS)
    throw badRequest('one_time_code_too_many_attempts', 'Too many attempts; start a new challenge.');
  const live = !challenge.verified && Date.parse(challenge.expires_at) > ctx.world.clock.nowMs();
  const valid = live && verifyTotp(factor.secret, code, ctx.world.clock.nowMs());
  if (valid) challenge.verified = true;
  else challenge.attempts += 1;
  challenge.updated_at = ctx.world.nowIso();
  return { challenge: challengeWire(challenge), valid, userId: factor.user_id };
}

/**
 * The MFA step of sign-in: users with a factor are challenged; when the environment requires
 * MFA, users without one must enroll. Throws the 403 WorkOS answers, with a pending token.
 */
export function requireSecondFactor(
  ctx: EmulatorContext,
  signIn: PendingSignIn,
  user: UserWire,
  pendingToken: () => string,
): void {
  if (signIn.mfa_verified || signIn.auth_method === 'sso' || signIn.auth_method === 'impersonation') return;
  const factors = userFactors(ctx, user.id);
  if (factors.length > 0) {
    throw new EmulatorError(403, {
      code: 'mfa_challenge',
      message: 'The user must complete an MFA challenge to finish authenticating.',
      pending_authentication_token: pendingToken(),
      user: serializeUser(user),
      authentication_factors: factors.map((f) => ({ id: f.id, type: f.type })),
    });
  }
  if (ctx.world.settings.mfa_required) {
    throw new EmulatorError(403, {
      code: 'mfa_enrollment',
      message: 'The user must enroll in MFA to finish authenticating.',
      pending_authentication_token: pendingToken(),
      user: serializeUser(user),
    });
  }
}
