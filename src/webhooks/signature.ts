// verifyWebhookSignature: the `WorkOS-Signature` check, over the exact bytes received.
// Threats: a forged delivery (no secret → no valid MAC), a tampered one (MAC covers every byte of
// the body and the timestamp), a replayed capture (the timestamp must be within `toleranceMs` of
// our clock, both ways, and a replay inside the window hits the inbox's primary key), and a timing
// oracle on the comparison (timingSafeEqual over fixed-length digests).
// We never re-serialize the parsed body: JSON re-encoding changes bytes and breaks the MAC check,
// or worse, makes it check something other than what was sent.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../core/errors.ts';

export const SIGNATURE_HEADER = 'workos-signature';
const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

export interface VerifySignatureOptions {
  /** Current secret first; during a rotation also the previous one. */
  secrets: readonly string[];
  toleranceMs?: number;
  now?: number;
}

/** Splits WORKOS_WEBHOOK_SECRET ("current" or "current,previous") into its secrets. */
export function parseWebhookSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function reject(reason: string): AppError {
  // The reason names which check failed (for the operator), never the secret or expected MAC.
  return new AppError('WEBHOOK_SIGNATURE_INVALID', 'The webhook signature is not valid', { details: { reason } });
}

/** Throws WEBHOOK_SIGNATURE_INVALID unless `header` signs `rawBody` with one of the secrets. */
export function verifyWebhookSignature(
  rawBody: Uint8Array,
  header: string | null | undefined,
  options: VerifySignatureOptions,
): void {
  if (options.secrets.length === 0) throw new TypeError('verifyWebhookSignature needs at least one secret');
  if (!header) throw reject('missing_header');
  let timestamp: string | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === 'v1') macs.push(value);
  }
  if (!timestamp || !/^\d{1,16}$/.test(timestamp) || macs.length === 0) throw reject('malformed_header');
  const now = options.now ?? Date.now();
  const tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const skew = now - Number(timestamp);
  if (skew > tolerance) throw reject('timestamp_too_old');
  if (skew < -tolerance) throw reject('timestamp_in_future');

  const given = macs.filter((m) => /^[0-9a-f]{64}$/i.test(m)).map((m) => Buffer.from(m, 'hex'));
  for (const secret of options.secrets) {
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
    if (given.some((mac) => timingSafeEqual(mac, expected))) return;
  }
  throw reject('mismatch');
}

/** Signs like WorkOS does; for tests, benches and tools that deliver to Gatehouse. */
export function signWebhookPayload(
  rawBody: string | Uint8Array,
  secret: string,
  timestampMs: number = Date.now(),
): string {
  const t = String(Math.trunc(timestampMs));
  const mac = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
  return `t=${t}, v1=${mac}`;
}
