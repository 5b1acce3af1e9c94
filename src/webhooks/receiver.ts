// POST /webhooks/workos. Order of checks, each answering before the next can be reached:
//   size (413) -> signature over the raw bytes (401 WEBHOOK_SIGNATURE_INVALID) -> JSON envelope
//   (400 WEBHOOK_PAYLOAD_INVALID) -> inbox transaction -> 200 only after the commit (in durable
//   mode the commit of the pending row, shared with deliveries arriving at the same time).
// Unauthenticated bytes are never parsed: a forged body cannot reach the JSON parser or the store.
import { Hono } from 'hono';
import { AppError } from '../core/errors.ts';
import type { IngestDeps, IngestOutcome } from './inbox.ts';
import { createInboxBatcher, type InboxBatcherOptions } from './inbox-batcher.ts';
import { ingestEvent } from './inbox.ts';
import { clampEventTime, parseProviderEvent, type ProviderEvent } from '../mirror/provider-event.ts';
import { revokesAccess } from '../mirror/revoking-events.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './signature.ts';

export interface WebhookReceiverOptions extends IngestDeps {
  /** Current secret first, then the previous one during a rotation. */
  secrets: readonly string[];
  toleranceMs?: number;
  /** Largest body accepted (default 256 KiB; WorkOS events are a few KiB). */
  maxBodyBytes?: number;
  now?: () => number;
  /** Called after an event committed (e.g. to send queued mail); errors are the caller's. */
  afterCommit?: (event: ProviderEvent, outcome: IngestOutcome) => void;
  /** Told which check refused a delivery (for the operator's log; never the secret or the MAC). */
  onRejected?: (reason: string) => void;
  /**
   * `applied` (default): answer after the event's effects committed. `durable`: answer once the
   * pending inbox row committed (one statement) and leave applying to the apply workers; an event
   * that takes access away is still applied before the answer.
   */
  acknowledge?: 'applied' | 'durable';
  /** In `durable` mode, called after a new event was queued (wakes the local apply worker). */
  onQueued?: () => void;
  /** In `durable` mode, how deliveries arriving together share inbox statements (inbox-batcher.ts). */
  inboxBatch?: InboxBatcherOptions;
}

// One decoder for every request: `fatal` refuses malformed UTF-8; decode() without `stream` keeps
// no state between calls.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface WebhookStats {
  received: number;
  rejected: number;
  applied: number;
  stale: number;
  unhandled: number;
  duplicate: number;
  queued: number;
  failed: number;
}

export interface WebhookReceiver {
  routes: Hono;
  stats(): WebhookStats;
}

export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  if (options.secrets.length === 0) throw new TypeError('the webhook receiver needs WORKOS_WEBHOOK_SECRET');
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const stats: WebhookStats = {
    received: 0,
    rejected: 0,
    applied: 0,
    stale: 0,
    unhandled: 0,
    duplicate: 0,
    queued: 0,
    failed: 0,
  };
  const routes = new Hono();
  const inbox = createInboxBatcher(options.db, options.inboxBatch);

  routes.post('/webhooks/workos', async (c) => {
    stats.received++;
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > maxBodyBytes) {
      stats.rejected++;
      throw new AppError('REQUEST_TOO_LARGE', 'The webhook body is too large');
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.byteLength > maxBodyBytes) {
      stats.rejected++;
      throw new AppError('REQUEST_TOO_LARGE', 'The webhook body is too large');
    }
    try {
      verifyWebhookSignature(raw, c.req.header(SIGNATURE_HEADER), {
        secrets: options.secrets,
        toleranceMs: options.toleranceMs,
        now: options.now?.(),
      });
    } catch (error) {
      stats.rejected++;
      // The caller only learns "invalid signature"; which check failed goes to the operator.
      options.onRejected?.(String((error as AppError).details?.reason ?? 'invalid'));
      throw error;
    }
    let event: ProviderEvent;
    try {
      event = parseProviderEvent(JSON.parse(UTF8.decode(raw)));
    } catch (error) {
      stats.rejected++;
      if (error instanceof AppError) throw error;
      throw new AppError('WEBHOOK_PAYLOAD_INVALID', 'The webhook body is not valid JSON');
    }
    // Revocations are not queued behind a backlog (revoking-events.ts): applied before the answer.
    if (options.acknowledge === 'durable' && !revokesAccess(event)) {
      let queued: boolean;
      try {
        queued = await inbox.enqueue(clampEventTime(event, options.now?.() ?? Date.now()));
      } catch (error) {
        stats.failed++;
        throw error; // nothing was committed: WorkOS retries
      }
      stats[queued ? 'queued' : 'duplicate']++;
      if (queued) options.onQueued?.();
      else options.afterCommit?.(event, 'duplicate'); // counted as the inline path counts it
      return c.json({ received: true, id: event.id, outcome: queued ? 'queued' : 'duplicate' }, 200);
    }
    let outcome: IngestOutcome;
    try {
      ({ outcome } = await ingestEvent(options, event, 'webhook'));
    } catch (error) {
      stats.failed++;
      throw error; // the error handler answers 5xx; nothing was committed
    }
    stats[outcome]++;
    options.afterCommit?.(event, outcome);
    return c.json({ received: true, id: event.id, outcome }, 200);
  });

  return { routes, stats: () => ({ ...stats }) };
}
