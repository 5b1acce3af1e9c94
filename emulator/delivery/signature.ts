import { createHmac } from 'node:crypto';

// WorkOS signs the exact bytes it sends: `WorkOS-Signature: t=<unix ms>, v1=<hex HMAC-SHA256
// of "<t>.<body>">`. The timestamp is part of the MAC so a captured delivery cannot be replayed
// outside the receiver's tolerance window.

export const SIGNATURE_HEADER = 'WorkOS-Signature';

export function signWebhookBody(body: string, secret: string, timestampMs: number): string {
  const t = String(Math.trunc(timestampMs));
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t}, v1=${v1}`;
}
