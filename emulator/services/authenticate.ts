// `POST /user_management/authenticate`: every grant establishes who the user is, then one
// policy step (`finishSignIn`) decides whether a session may start — SSO enforcement, email
// verification, organization choice — answering the same errors WorkOS does, each with a
// `pending_authentication_token` that a follow-up grant redeems.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { PendingSignIn, UserWire } from '../state/types.ts';
import { verifyPassword } from '../state/password.ts';
import { EmulatorError, badRequest, oauthError } from './errors.ts';
import { parseInput } from './input.ts';
import { findUserByEmail } from './users.ts';
import { serializeUser } from './serialize.ts';
import { findMembership } from './memberships.ts';
import { ssoConnectionsForEmail } from './connections.ts';
import { consumeCode, markEmailVerified, sendEmailVerification } from './one-time-codes.ts';
import { acceptInvitationFor, findInvitationByToken } from './invitations.ts';
import { verifyPkce } from './authorize.ts';
import { refreshSession, startSession, type RequestMeta } from './sessions.ts';
import { requireSecondFactor, verifyChallenge } from './mfa.ts';
import { redeemDeviceCode } from './device-authorization.ts';

const PENDING_TTL_MS = 10 * 60 * 1000;

const Base = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  ip_address: z.string().optional(),
  user_agent: z.string().optional(),
  invitation_token: z.string().optional(),
});

const Grant = z.discriminatedUnion('grant_type', [
  Base.extend({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    code_verifier: z.string().optional(),
  }),
  Base.extend({ grant_type: z.literal('password'), email: z.string().min(1), password: z.string().min(1) }),
  Base.extend({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1),
    organization_id: z.string().optional(),
  }),
  Base.extend({
    grant_type: z.literal('urn:workos:oauth:grant-type:magic-auth:code'),
    code: z.string().min(1),
    email: z.string().min(1),
  }),
  Base.extend({
    grant_type: z.literal('urn:workos:oauth:grant-type:email-verification:code'),
    code: z.string().min(1),
    pending_authentication_token: z.string().min(1),
  }),
  Base.extend({
    grant_type: z.literal('urn:workos:oauth:grant-type:organization-selection'),
    pending_authentication_token: z.string().min(1),
    organization_id: z.string().min(1),
  }),
  Base.extend({
    grant_type: z.literal('urn:workos:oauth:grant-type:mfa-totp'),
    pending_authentication_token: z.string().min(1),
    authentication_challenge_id: z.string().min(1),
    code: z.string().min(1),
  }),
  Base.extend({
    grant_type: z.literal('urn:ietf:params:oauth:grant-type:device_code'),
    device_code: z.string().min(1),
  }),
]);

type GrantInput = z.infer<typeof Grant>;

/**
 * Confidential clients prove themselves with the API key as `client_secret`; public clients
 * (no secret) may only redeem PKCE-bound codes and refresh tokens.
 */
function checkClient(ctx: EmulatorContext, input: GrantInput): void {
  if (input.client_id !== ctx.config.clientId) throw oauthError(400, 'invalid_client', 'Invalid client ID.');
  if (input.client_secret !== undefined) {
    if (input.client_secret !== ctx.config.apiKey) throw oauthError(400, 'invalid_client', 'Invalid client secret.');
    return;
  }
  // A CLI holds no secret: its device code is the proof (RFC 8628).
  const publicAllowed =
    input.grant_type === 'refresh_token' ||
    input.grant_type === 'urn:ietf:params:oauth:grant-type:device_code' ||
    (input.grant_type === 'authorization_code' && input.code_verifier);
  if (!publicAllowed) throw oauthError(400, 'invalid_client', 'client_secret is required.');
}

function newPending(ctx: EmulatorContext, signIn: PendingSignIn): string {
  const token = randomBytes(24).toString('base64url');
  ctx.world.pendingAuthentications.set(token, {
    ...signIn,
    token,
    expires_at: new Date(ctx.world.clock.nowMs() + PENDING_TTL_MS).toISOString(),
  });
  return token;
}

/**
 * Reads a pending authentication. It is dropped only once the follow-up step succeeded
 * (`dropPending`), so a mistyped code does not force the user to start over.
 */
function peekPending(ctx: EmulatorContext, token: string): PendingSignIn {
  const pending = ctx.world.pendingAuthentications.get(token);
  if (!pending || Date.parse(pending.expires_at) <= ctx.world.clock.nowMs()) {
    throw badRequest('invalid_pending_authentication_token', 'The pending authentication token is invalid or expired.');
  }
  const { token: _t, expires_at: _e, ...signIn } = pending;
  return signIn;
}

function dropPending(ctx: EmulatorContext, token: string): void {
  ctx.world.pendingAuthentications.delete(token);
}

function authEvent(
  ctx: EmulatorContext,
  kind: string,
  status: 'succeeded' | 'failed',
  user: { id: string; email: string } | null,
  email: string,
  meta: RequestMeta,
  error?: unknown,
): void {
  const failure =
    error instanceof EmulatorError
      ? { code: String(error.body.code ?? error.body.error ?? 'authentication_failed'), message: error.message }
      : { code: 'invalid_credentials', message: 'Invalid credentials.' };
  ctx.world.emit(`authentication.${kind}_${status}`, {
    type: kind,
    status,
    ip_address: meta.ip_address ?? null,
    user_agent: meta.user_agent ?? null,
    user_id: user?.id ?? null,
    email,
    ...(status === 'failed' ? { error: failure } : {}),
  });
}

/** The policy between "we know who this is" and "a session starts". */
async function finishSignIn(ctx: EmulatorContext, signIn: PendingSignIn, input: GrantInput, meta: RequestMeta) {
  const { world } = ctx;
  const user = world.users.get(signIn.user_id);
  if (!user) throw badRequest('invalid_credentials', 'Invalid credentials.');
  if (input.invitation_token) {
    const invitation = findInvitationByToken(ctx, input.invitation_token);
    if (invitation?.state !== 'pending') throw oauthError(400, 'invitation_invalid', 'The invitation is invalid.');
    if (invitation.email !== user.email)
      throw oauthError(400, 'invitation_cannot_be_used_for_email', 'The invitation was sent to another email.');
    acceptInvitationFor(ctx, invitation, user);
    if (invitation.organization_id) signIn = { ...signIn, organization_id: invitation.organization_id };
  }
  if (signIn.auth_method === 'password' || signIn.auth_method === 'magic_code') {
    const required = ssoConnectionsForEmail(ctx, user.email);
    if (required.length > 0) {
      throw oauthError(400, 'sso_required', 'User must authenticate using one of the matching connections.', {
        connection_ids: required.map((c) => c.id),
        email: user.email,
        pending_authentication_token: newPending(ctx, signIn),
      });
    }
  }
  if (!user.email_verified || signIn.email_unproven) {
    const { record } = sendEmailVerification(ctx, user.id);
    throw new EmulatorError(403, {
      code: 'email_verification_required',
      message: 'Email ownership must be verified before authentication.',
      pending_authentication_token: newPending(ctx, signIn),
      email: user.email,
      email_verification_id: record.id,
    });
  }
  requireSecondFactor(ctx, signIn, user, () => newPending(ctx, signIn));
  if (!signIn.organization_id) {
    const active = [...world.memberships.values()].filter((m) => m.user_id === user.id && m.status === 'active');
    if (active.length > 1) {
      throw new EmulatorError(403, {
        code: 'organization_selection_required',
        message: 'The user must choose an organization to sign in to.',
        pending_authentication_token: newPending(ctx, signIn),
        user: serializeUser(user),
        organizations: active.map((m) => ({
          id: m.organization_id,
          name: world.organizations.get(m.organization_id)?.name ?? '',
        })),
      });
    }
    if (active.length === 1) signIn = { ...signIn, organization_id: active[0]!.organization_id };
  } else {
    const membership = findMembership(ctx, user.id, signIn.organization_id);
    if (membership?.status !== 'active') {
      throw oauthError(
        400,
        'organization_membership_not_found',
        'The user is not an active member of this organization.',
      );
    }
  }
  return startSession(ctx, signIn, meta);
}

export function passwordSignIn(
  ctx: EmulatorContext,
  email: string,
  password: string,
  meta: RequestMeta,
): PendingSignIn {
  const user = findUserByEmail(ctx, email);
  const hash = user ? ctx.world.passwordHashes.get(user.id) : undefined;
  if (!user || !hash || !verifyPassword(password, hash)) {
    authEvent(ctx, 'password', 'failed', user ?? null, email.toLowerCase(), meta);
    throw badRequest('invalid_credentials', 'Invalid credentials.');
  }
  authEvent(ctx, 'password', 'succeeded', user, user.email, meta);
  return { user_id: user.id, organization_id: null, auth_method: 'password', authentication_method: 'Password' };
}

export function magicAuthSignIn(ctx: EmulatorContext, email: string, code: string, meta: RequestMeta): PendingSignIn {
  const user: UserWire | undefined = findUserByEmail(ctx, email);
  if (!user) throw badRequest('invalid_one_time_code', 'The code is invalid.');
  try {
    consumeCode(ctx, ctx.world.magicAuths, user.id, code);
  } catch (error) {
    authEvent(ctx, 'magic_auth', 'failed', user, user.email, meta, error);
    throw error;
  }
  // Receiving the code proves the mailbox.
  markEmailVerified(ctx, user);
  authEvent(ctx, 'magic_auth', 'succeeded', user, user.email, meta);
  return { user_id: user.id, organization_id: null, auth_method: 'magic_code', authentication_method: 'MagicAuth' };
}

function codeSignIn(
  ctx: EmulatorContext,
  input: { client_id: string; client_secret?: string | undefined; code: string; code_verifier?: string | undefined },
): PendingSignIn {
  const record = ctx.world.authorizationCodes.get(input.code);
  if (!record || record.used || record.client_id !== input.client_id)
    throw oauthError(400, 'invalid_grant', 'The code is invalid.');
  // A public client proves possession only through PKCE: a code issued without a challenge
  // would otherwise be redeemable by anyone who intercepts it, with any verifier.
  if (input.client_secret === undefined && !record.code_challenge)
    throw oauthError(400, 'invalid_grant', 'This code requires the client secret.');
  if (Date.parse(record.expires_at) <= ctx.world.clock.nowMs())
    throw oauthError(400, 'invalid_grant', 'The code has expired.');
  verifyPkce(record.code_challenge, input.code_verifier);
  record.used = true;
  const {
    code: _c,
    client_id: _ci,
    redirect_uri: _r,
    code_challenge: _cc,
    code_challenge_method: _cm,
    expires_at: _e,
    used: _u,
    ...signIn
  } = record;
  return signIn;
}

export async function authenticate(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(Grant, body);
  checkClient(ctx, input);
  const meta: RequestMeta = { ip_address: input.ip_address, user_agent: input.user_agent };
  switch (input.grant_type) {
    case 'refresh_token':
      return refreshSession(ctx, input.refresh_token, input.organization_id);
    case 'password':
      return finishSignIn(ctx, passwordSignIn(ctx, input.email, input.password, meta), input, meta);
    case 'urn:workos:oauth:grant-type:magic-auth:code':
      return finishSignIn(ctx, magicAuthSignIn(ctx, input.email, input.code, meta), input, meta);
    case 'authorization_code':
      return finishSignIn(ctx, codeSignIn(ctx, input), input, meta);
    case 'urn:ietf:params:oauth:grant-type:device_code':
      return finishSignIn(ctx, redeemDeviceCode(ctx, input.device_code), input, meta);
    case 'urn:workos:oauth:grant-type:email-verification:code': {
      const signIn = peekPending(ctx, input.pending_authentication_token);
      const user = ctx.world.users.get(signIn.user_id)!;
      consumeCode(ctx, ctx.world.emailVerifications, signIn.user_id, input.code);
      dropPending(ctx, input.pending_authentication_token);
      markEmailVerified(ctx, user);
      authEvent(ctx, 'email_verification', 'succeeded', user, user.email, meta);
      const { email_unproven: _proven, ...proven } = signIn;
      return finishSignIn(ctx, proven, input, meta);
    }
    case 'urn:workos:oauth:grant-type:mfa-totp': {
      const signIn = peekPending(ctx, input.pending_authentication_token);
      const result = verifyChallenge(ctx, input.authentication_challenge_id, input.code);
      if (result.userId !== signIn.user_id) throw badRequest('user_mismatch', 'The challenge belongs to another user.');
      if (!result.valid) throw badRequest('invalid_one_time_code', 'The code is invalid.');
      dropPending(ctx, input.pending_authentication_token);
      const user = ctx.world.users.get(signIn.user_id)!;
      ctx.world.emit('authentication.mfa_succeeded', {
        type: 'mfa',
        status: 'succeeded',
        ip_address: meta.ip_address ?? null,
        user_agent: meta.user_agent ?? null,
        user_id: user.id,
        email: user.email,
      });
      return finishSignIn(ctx, { ...signIn, mfa_verified: true }, input, meta);
    }
    case 'urn:workos:oauth:grant-type:organization-selection': {
      const signIn = peekPending(ctx, input.pending_authentication_token);
      if (!ctx.world.organizations.has(input.organization_id))
        throw badRequest('invalid_organization_id', 'The organization is invalid.');
      const membership = findMembership(ctx, signIn.user_id, input.organization_id);
      if (membership?.status !== 'active')
        throw badRequest('invalid_organization_id', 'The user is not an active member of this organization.');
      dropPending(ctx, input.pending_authentication_token);
      return finishSignIn(ctx, { ...signIn, organization_id: input.organization_id }, input, meta);
    }
  }
}
