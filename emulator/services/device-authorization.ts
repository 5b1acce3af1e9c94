// CLI Auth: the OAuth 2.0 Device Authorization Grant (RFC 8628) as WorkOS documents it. A CLI asks
// `POST /user_management/authorize/device` for a device code (kept secret by the CLI) and a short
// user code (shown to the person); the person opens the verification page, enters the user code,
// signs in through the hosted AuthKit pages and allows or denies; meanwhile the CLI polls
// `POST /user_management/authenticate` with the device code and gets `authorization_pending`,
// `slow_down` (polling faster than `interval`), `access_denied`, `expired_token` (after 5 minutes),
// or, once allowed, the tokens — exactly once.
// Threats: a leaked store must not reveal redeemable codes (only sha256 of the device code and the
// confirmation token are kept); a guessed user code only starts a sign-in that the guesser must
// finish as themselves; the allow/deny step needs the single-use token the confirmation page got.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { PendingSignIn } from '../state/types.ts';
import type { DeviceAuthorizationRecord } from '../state/platform-types.ts';
import { EmulatorError, oauthError } from './errors.ts';
import { DEVICE_CALLBACK_PATH } from './redirect-uris.ts';

const EXPIRES_IN_S = 300;
const INTERVAL_S = 5;
/** RFC 8628 §6.1: consonants only (no vowels, no look-alikes), 8 characters shown as XXXX-XXXX. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const StartInput = z.object({ client_id: z.string().min(1) });

export const VERIFICATION_PATH = '/device';

/** Upper case without separators, so `bcdf-ghjk`, `BCDFGHJK` and `BCDF GHJK` are the same code. */
export function normalizeUserCode(value: string): string {
  return value.toUpperCase().replace(/[^A-Z]/g, '');
}

export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function startDeviceAuthorization(ctx: EmulatorContext, body: unknown) {
  const parsed = StartInput.safeParse(body ?? {});
  if (!parsed.success) throw oauthError(400, 'invalid_request', 'client_id is required.');
  if (parsed.data.client_id !== ctx.config.clientId) throw oauthError(400, 'invalid_client', 'Invalid client ID.');
  const { world } = ctx;
  const deviceCode = randomBytes(48).toString('base64url');
  let userCode: string;
  do {
    userCode = Array.from({ length: 8 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
  } while (findByUserCode(ctx, userCode));
  const record: DeviceAuthorizationRecord = {
    id: world.newId('device_authorization'),
    client_id: parsed.data.client_id,
    device_code_hash: sha256(deviceCode),
    user_code: userCode,
    expires_at_ms: world.clock.nowMs() + EXPIRES_IN_S * 1000,
    interval_s: INTERVAL_S,
    last_poll_ms: null,
    state: 'pending',
    sign_in: null,
    confirm_token_hash: null,
  };
  world.deviceAuthorizations.set(record.id, record);
  const verification = `${ctx.config.baseUrl}${VERIFICATION_PATH}`;
  return {
    device_code: deviceCode,
    user_code: formatUserCode(userCode),
    verification_uri: verification,
    verification_uri_complete: `${verification}?user_code=${formatUserCode(userCode)}`,
    expires_in: EXPIRES_IN_S,
    interval: INTERVAL_S,
  };
}

const live = (ctx: EmulatorContext, r: DeviceAuthorizationRecord) => r.expires_at_ms > ctx.world.clock.nowMs();

function findByUserCode(ctx: EmulatorContext, userCode: string): DeviceAuthorizationRecord | undefined {
  const wanted = normalizeUserCode(userCode);
  for (const r of ctx.world.deviceAuthorizations.values()) if (r.user_code === wanted) return r;
  return undefined;
}

/** The authorization a person's typed code names, if it still waits for them. */
export function pendingByUserCode(ctx: EmulatorContext, userCode: string): DeviceAuthorizationRecord | undefined {
  const record = findByUserCode(ctx, userCode);
  return record && record.state === 'pending' && !record.sign_in && live(ctx, record) ? record : undefined;
}

/** Where the verification page sends the browser to sign in; the code comes back to our callback. */
export function signInUrl(ctx: EmulatorContext, record: DeviceAuthorizationRecord): string {
  const query = new URLSearchParams({
    client_id: record.client_id,
    redirect_uri: `${ctx.config.baseUrl}${DEVICE_CALLBACK_PATH}`,
    response_type: 'code',
    provider: 'authkit',
    state: record.id,
  });
  return `/user_management/authorize?${query}`;
}

/**
 * Takes the AuthKit code the hosted sign-in sent to the device callback (single use), keeps the
 * sign-in on the authorization and returns the confirmation token the allow/deny form must carry.
 */
export function attachSignIn(ctx: EmulatorContext, recordId: string, code: string) {
  const record = ctx.world.deviceAuthorizations.get(recordId);
  const grant = ctx.world.authorizationCodes.get(code);
  const callback = `${ctx.config.baseUrl}${DEVICE_CALLBACK_PATH}`;
  if (record?.state !== 'pending' || record.sign_in || !live(ctx, record)) {
    throw new EmulatorError(400, { code: 'device_authorization_invalid', message: 'This device request has ended.' });
  }
  if (
    !grant ||
    grant.used ||
    grant.redirect_uri !== callback ||
    Date.parse(grant.expires_at) <= ctx.world.clock.nowMs()
  ) {
    throw new EmulatorError(400, { code: 'invalid_grant', message: 'The sign-in could not be completed.' });
  }
  grant.used = true;
  const {
    code: _c,
    client_id: _ci,
    redirect_uri: _r,
    code_challenge: _cc,
    code_challenge_method: _m,
    expires_at: _e,
    used: _u,
    ...signIn
  } = grant;
  const confirmToken = randomBytes(24).toString('base64url');
  record.sign_in = signIn;
  record.confirm_token_hash = sha256(confirmToken);
  const user = ctx.world.users.get(signIn.user_id);
  return { record, email: user?.email ?? '', confirmToken };
}

/** The person's answer on the confirmation page. */
export function decide(
  ctx: EmulatorContext,
  recordId: string,
  confirmToken: string,
  allow: boolean,
): 'approved' | 'denied' {
  const record = ctx.world.deviceAuthorizations.get(recordId);
  if (
    record?.state !== 'pending' ||
    !record.sign_in ||
    record.confirm_token_hash !== sha256(confirmToken) ||
    !live(ctx, record)
  ) {
    throw new EmulatorError(400, { code: 'device_authorization_invalid', message: 'This device request has ended.' });
  }
  record.confirm_token_hash = null;
  record.state = allow ? 'approved' : 'denied';
  return record.state;
}

/**
 * The device code grant: the sign-in to finish once the person allowed it, or the RFC 8628 error
 * telling the CLI what to do next. A denied, expired or redeemed code never works again.
 */
export function redeemDeviceCode(ctx: EmulatorContext, deviceCode: string): PendingSignIn {
  const hash = sha256(deviceCode);
  const record = [...ctx.world.deviceAuthorizations.values()].find((r) => r.device_code_hash === hash);
  if (!record || record.state === 'redeemed') throw oauthError(400, 'invalid_grant', 'The device code is invalid.');
  const now = ctx.world.clock.nowMs();
  if (!live(ctx, record)) throw oauthError(400, 'expired_token', 'The device code has expired.');
  if (record.state === 'denied') throw oauthError(400, 'access_denied', 'The user denied the request.');
  const tooSoon = record.last_poll_ms !== null && now - record.last_poll_ms < record.interval_s * 1000;
  record.last_poll_ms = now;
  if (record.state === 'pending') {
    if (tooSoon) {
      // RFC 8628 §3.5: the client must add 5 seconds to its interval from now on.
      record.interval_s += 5;
      throw oauthError(400, 'slow_down', 'Polling too frequently; increase the interval by 5 seconds.');
    }
    throw oauthError(400, 'authorization_pending', 'The user has not yet completed authorization.');
  }
  record.state = 'redeemed';
  return record.sign_in!;
}
