import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../core/errors.ts';
import { parseWebhookSecrets, signWebhookPayload, verifyWebhookSignature } from './signature.ts';

const body = new TextEncoder().encode(
  '{"id":"event_1","event":"user.created","data":{},"created_at":"2026-01-01T00:00:00.000Z"}',
);
const now = 1_800_000_000_000;

function reason(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'WEBHOOK_SIGNATURE_INVALID');
    assert.equal(error.status, 401);
    return String(error.details?.reason);
  }
  return 'accepted';
}

describe('verifyWebhookSignature', () => {
  const check = (header: string | null, raw = body, secrets = ['current']) =>
    reason(() => verifyWebhookSignature(raw, header, { secrets, now }));

  it('accepts a signature by the current or the previous secret, and no other', () => {
    assert.equal(check(signWebhookPayload(body, 'current', now)), 'accepted');
    assert.equal(check(signWebhookPayload(body, 'previous', now), body, ['current', 'previous']), 'accepted');
    assert.equal(check(signWebhookPayload(body, 'previous', now)), 'mismatch');
    assert.equal(check(signWebhookPayload(body, 'wrong', now)), 'mismatch');
  });

  it('refuses one changed byte, a missing or malformed header', () => {
    const tampered = Uint8Array.from(body);
    tampered[10] = tampered[10]! ^ 1;
    assert.equal(check(signWebhookPayload(body, 'current', now), tampered), 'mismatch');
    assert.equal(check(null), 'missing_header');
    assert.equal(check('v1=abc'), 'malformed_header');
    assert.equal(check(`t=${now}`), 'malformed_header');
  });

  it('refuses stale and far-future timestamps, both ways of the tolerance', () => {
    assert.equal(check(signWebhookPayload(body, 'current', now - 5 * 60_000 - 1)), 'timestamp_too_old');
    assert.equal(check(signWebhookPayload(body, 'current', now + 5 * 60_000 + 1)), 'timestamp_in_future');
    assert.equal(check(signWebhookPayload(body, 'current', now - 5 * 60_000)), 'accepted');
  });

  it('never puts the secret or the expected MAC in the error', () => {
    try {
      verifyWebhookSignature(body, signWebhookPayload(body, 'wrong', now), { secrets: ['s3cret-value'], now });
    } catch (error) {
      const text = JSON.stringify({ m: (error as Error).message, d: (error as AppError).details });
      assert.ok(!text.includes('s3cret-value'));
      assert.ok(!/[0-9a-f]{64}/.test(text));
    }
  });

  it('parses "current,previous"', () => {
    assert.deepEqual(parseWebhookSecrets(' a , b '), ['a', 'b']);
    assert.deepEqual(parseWebhookSecrets(undefined), []);
  });
});
