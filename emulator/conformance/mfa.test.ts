// MFA through the SDK: TOTP enrollment when the environment requires MFA, the mfa_challenge
// answer for enrolled users, the TOTP grant, and the factor/challenge API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundException } from '@workos-inc/node';
import { openHarness, type Harness } from '../testing/harness.ts';
import { totpCode } from '../services/totp.ts';

let h: Harness;
let clientId: string;
before(async () => {
  h = await openHarness();
  clientId = h.emulator.clientId;
});
after(() => h.close());

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

const now = () => h.emulator.world.clock.nowMs();

test('required MFA: enrollment answer, TOTP enrollment, the TOTP grant finishes the sign-in', async () => {
  const um = h.workos.userManagement;
  const user = await um.createUser({ email: 'mfa@example.test', password: 'mfa-password', emailVerified: true });
  await h.control('POST', '/settings', { mfa_required: true });
  const enrollment = await rejection(
    um.authenticateWithPassword({ clientId, email: 'mfa@example.test', password: 'mfa-password' }),
  );
  assert.equal(enrollment.status, 403);
  assert.equal(enrollment.rawData.code, 'mfa_enrollment');
  assert.equal(enrollment.rawData.user.id, user.id);

  const { authenticationFactor, authenticationChallenge } = await h.workos.multiFactorAuth.createUserAuthFactor({
    userId: user.id,
    type: 'totp',
    totpIssuer: 'Gatehouse',
    totpUser: 'mfa@example.test',
  });
  assert.equal(authenticationFactor.type, 'totp');
  assert.match(authenticationFactor.totp.uri, /^otpauth:\/\/totp\//);
  const secret = authenticationFactor.totp.secret;
  const wrong = totpCode(secret, now()) === '000000' ? '111111' : '000000';
  await assert.rejects(
    um.authenticateWithTotp({
      clientId,
      code: wrong,
      authenticationChallengeId: authenticationChallenge.id,
      pendingAuthenticationToken: enrollment.rawData.pending_authentication_token,
    }),
    (e: any) => e.rawData?.code === 'invalid_one_time_code',
  );
  const auth = await um.authenticateWithTotp({
    clientId,
    code: totpCode(secret, now()),
    authenticationChallengeId: authenticationChallenge.id,
    pendingAuthenticationToken: enrollment.rawData.pending_authentication_token,
  });
  assert.equal(auth.user.id, user.id);
  assert.equal(
    h.emulator.world.events.findLast((e) => e.event === 'authentication.mfa_succeeded')?.data.user_id,
    user.id,
  );
  await h.control('POST', '/settings', { mfa_required: false });
  h.assertConformant();
});

test('an enrolled user is challenged even when MFA is optional; factor and challenge API', async () => {
  const um = h.workos.userManagement;
  const user = await um.createUser({ email: 'factor@example.test', password: 'factor-password', emailVerified: true });
  const { authenticationFactor } = await h.workos.multiFactorAuth.createUserAuthFactor({
    userId: user.id,
    type: 'totp',
  });
  const factors = await h.workos.multiFactorAuth.listUserAuthFactors({ userId: user.id });
  assert.deepEqual(
    factors.data.map((f) => f.id),
    [authenticationFactor.id],
  );
  assert.equal((await h.workos.multiFactorAuth.getFactor(authenticationFactor.id)).id, authenticationFactor.id);

  const challengeAnswer = await rejection(
    um.authenticateWithPassword({ clientId, email: 'factor@example.test', password: 'factor-password' }),
  );
  assert.equal(challengeAnswer.rawData.code, 'mfa_challenge');
  assert.deepEqual(challengeAnswer.rawData.authentication_factors, [{ id: authenticationFactor.id, type: 'totp' }]);
  const challenge = await h.workos.multiFactorAuth.challengeFactor({ authenticationFactorId: authenticationFactor.id });
  const code = totpCode(authenticationFactor.totp.secret, now());
  const auth = await um.authenticateWithTotp({
    clientId,
    code,
    authenticationChallengeId: challenge.id,
    pendingAuthenticationToken: challengeAnswer.rawData.pending_authentication_token,
  });
  assert.equal(auth.user.email, 'factor@example.test');

  const second = await h.workos.multiFactorAuth.challengeFactor({ authenticationFactorId: authenticationFactor.id });
  assert.equal(
    (await h.workos.multiFactorAuth.verifyChallenge({ authenticationChallengeId: second.id, code })).valid,
    true,
  );
  assert.equal(
    (await h.workos.multiFactorAuth.verifyChallenge({ authenticationChallengeId: second.id, code })).valid,
    false,
    'a challenge verifies once',
  );
  await h.workos.multiFactorAuth.deleteFactor(authenticationFactor.id);
  await assert.rejects(h.workos.multiFactorAuth.getFactor(authenticationFactor.id), NotFoundException);
  const plain = await um.authenticateWithPassword({
    clientId,
    email: 'factor@example.test',
    password: 'factor-password',
  });
  assert.equal(plain.user.id, user.id);
  h.assertConformant();
});

test('the MFA API enrols a standalone TOTP factor; SMS and generic OTP are refused, not enrolled', async () => {
  const factor = await h.workos.multiFactorAuth.enrollFactor({
    type: 'totp',
    issuer: 'Gatehouse',
    user: 'ops@example.test',
  });
  assert.equal(factor.type, 'totp');
  assert.equal((factor as any).userId, undefined, 'a standalone factor belongs to no user');
  const challenge = await h.workos.multiFactorAuth.challengeFactor({ authenticationFactorId: factor.id });
  const code = totpCode((factor as any).totp.secret, now());
  const verified = await h.workos.multiFactorAuth.verifyChallenge({ authenticationChallengeId: challenge.id, code });
  assert.equal(verified.valid, true);
  const sms = await h.request('POST', '/auth/factors/enroll', { body: { type: 'sms', phone_number: '+15555550100' } });
  assert.equal(sms.status, 422);
  const missingIssuer = await h.request('POST', '/auth/factors/enroll', { body: { type: 'totp' } });
  assert.equal(missingIssuer.status, 422);
  h.assertConformant();
});

test('every event this suite made WorkOS announce matches the spec', async () => {
  assert.ok((await h.assertEventsConformant()) > 0);
});
