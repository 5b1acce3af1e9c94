import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createWorld } from '../state/world.ts';
import { openSigningKeys } from '../keys/signing-keys.ts';
import type { EmulatorContext } from './context.ts';
import { EmulatorError } from './errors.ts';
import { DEVICE_CALLBACK_PATH } from './redirect-uris.ts';
import { attachSignIn, decide, redeemDeviceCode, startDeviceAuthorization } from './device-authorization.ts';

// Random interleavings of polls, clock moves, sign-ins and allow/deny answers on one device
// authorization; after every step the answer must be what RFC 8628 and WorkOS's table say for the
// state a model tracks: tokens only after "allow" and at most once, never after "deny" or expiry,
// `slow_down` exactly when a pending code is polled within the (growing) interval.

const runs = Number(process.env.PROPERTY_RUNS ?? 100);
const seed = Number(process.env.PROPERTY_SEED ?? 20261130);
const keys = await openSigningKeys();
const BASE = 'http://emu.test';

const step = fc.oneof(
  fc.constant({ op: 'poll' as const }),
  fc.record({ op: fc.constant('wait' as const), ms: fc.constantFrom(1_000, 4_000, 6_000, 11_000, 120_000) }),
  fc.constant({ op: 'signIn' as const }),
  fc.record({ op: fc.constant('answer' as const), allow: fc.boolean(), forged: fc.boolean() }),
);

test('a device code yields tokens once, only after allow, never after deny or expiry (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
      const ctx: EmulatorContext = {
        world: createWorld(),
        keys,
        config: { apiKey: 'k', clientId: 'c', baseUrl: BASE },
      };
      const started = startDeviceAuthorization(ctx, { client_id: 'c' });
      const record = [...ctx.world.deviceAuthorizations.values()][0]!;
      const startMs = ctx.world.clock.nowMs();
      // The model.
      let state: 'pending' | 'signed_in' | 'approved' | 'denied' | 'redeemed' = 'pending';
      let confirmToken = '';
      let interval = 5_000;
      let lastPoll: number | null = null;
      let codes = 0;
      for (const s of steps) {
        const now = ctx.world.clock.nowMs();
        const expired = now - startMs >= 300_000;
        if (s.op === 'wait') {
          ctx.world.clock.advance(s.ms);
        } else if (s.op === 'signIn') {
          const code = `code-${(codes += 1)}`;
          ctx.world.authorizationCodes.set(code, {
            code,
            client_id: 'c',
            redirect_uri: `${BASE}${DEVICE_CALLBACK_PATH}`,
            code_challenge: null,
            code_challenge_method: null,
            expires_at: new Date(now + 600_000).toISOString(),
            used: false,
            user_id: 'user_1',
            organization_id: null,
            auth_method: 'password',
            authentication_method: 'Password',
          });
          try {
            confirmToken = attachSignIn(ctx, record.id, code).confirmToken;
            assert.ok(state === 'pending' && !expired, `sign-in accepted in state ${state}`);
            state = 'signed_in';
          } catch (error) {
            assert.ok(error instanceof EmulatorError && (state !== 'pending' || expired));
          }
        } else if (s.op === 'answer') {
          try {
            decide(ctx, record.id, s.forged ? 'forged' : confirmToken, s.allow);
            assert.ok(state === 'signed_in' && !s.forged && !expired, `answer accepted in state ${state}`);
            state = s.allow ? 'approved' : 'denied';
          } catch (error) {
            assert.ok(error instanceof EmulatorError && (state !== 'signed_in' || s.forged || expired));
          }
        } else {
          let outcome: string;
          try {
            redeemDeviceCode(ctx, started.device_code);
            outcome = 'tokens';
          } catch (error) {
            outcome = String((error as EmulatorError).body.error);
          }
          let expected: string;
          if (state === 'redeemed') expected = 'invalid_grant';
          else if (expired) expected = 'expired_token';
          else if (state === 'denied') expected = 'access_denied';
          else if (state === 'approved') expected = 'tokens';
          else expected = lastPoll !== null && now - lastPoll < interval ? 'slow_down' : 'authorization_pending';
          assert.equal(outcome, expected);
          if (expected === 'tokens') state = 'redeemed';
          if (expected === 'slow_down') interval += 5_000;
          if (['tokens', 'slow_down', 'authorization_pending'].includes(expected)) lastPoll = now;
        }
      }
    }),
    { numRuns: runs, seed },
  );
});
