// The webhook intake of one process: POST /webhooks/workos (mounted when WORKOS_WEBHOOK_SECRET
// is set) and, with WEBHOOK_ACKNOWLEDGE=durable, the apply worker that drains the queue. The
// composition root (src/app.ts) builds it and mounts its routes; nothing else hands them on.
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { AccessRevoker } from '../mirror/context.ts';
import type { Database } from '../store/schema.ts';
import { createApplyWorker, type ApplyWorker } from './apply-worker.ts';
import type { IngestOutcome } from './inbox.ts';
import { createWebhookReceiver, type WebhookReceiver } from './receiver.ts';
import { parseWebhookSecrets } from './signature.ts';

export interface WebhookIntakeDeps {
  db: Kysely<Database>;
  logger: Logger;
  access: AccessRevoker;
  /** Sends queued mail; called after events applied (a magic_auth.created queues a mail). */
  deliverMail: () => Promise<number>;
  /** Told of every committed webhook event (metrics: counts and lag). */
  onCommitted?: (event: { created_at: string }, outcome: IngestOutcome) => void;
  /** The store's LISTEN, so apply workers wake on every instance's enqueue. */
  listen?: (channel: string, onMessage: (payload: string) => void) => Promise<() => Promise<void>>;
}

export interface WebhookIntake {
  /** POST /webhooks/workos, or undefined without WORKOS_WEBHOOK_SECRET. */
  readonly routes: Hono | undefined;
  readonly receiver: WebhookReceiver | undefined;
  /** The apply worker when WEBHOOK_ACKNOWLEDGE=durable. */
  readonly applyWorker: ApplyWorker | undefined;
  /** Starts the apply worker (no-op without one, or when started already). */
  start(): void;
  close(): Promise<void>;
}

export function createWebhookIntake(config: Config, deps: WebhookIntakeDeps): WebhookIntake {
  const sendMail = (): void => {
    deps
      .deliverMail()
      .catch((error: unknown) =>
        deps.logger.warn({ err: (error as Error).message }, 'mail delivery failed; will retry'),
      );
  };
  const secrets = parseWebhookSecrets(config.WORKOS_WEBHOOK_SECRET);
  const durable = config.WEBHOOK_ACKNOWLEDGE === 'durable';
  const applyWorker = durable
    ? createApplyWorker({
        db: deps.db,
        access: deps.access,
        ...(deps.listen ? { listen: deps.listen } : {}),
        onApplied: sendMail,
        ...(deps.onCommitted ? { onCommitted: deps.onCommitted } : {}),
        onError: (error) =>
          deps.logger.warn({ err: (error as Error).message }, 'applying queued webhook events failed; will retry'),
      })
    : undefined;
  const receiver =
    secrets.length > 0
      ? createWebhookReceiver({
          db: deps.db,
          access: deps.access,
          secrets,
          acknowledge: durable ? 'durable' : 'applied',
          ...(applyWorker ? { onQueued: () => void applyWorker.wake() } : {}),
          onRejected: (reason) => deps.logger.warn({ reason }, 'webhook delivery refused: invalid signature'),
          afterCommit: (event, outcome) => {
            deps.onCommitted?.(event, outcome);
            if (outcome === 'applied' && event.event === 'magic_auth.created') sendMail();
          },
        })
      : undefined;
  let started = false;
  return {
    routes: receiver?.routes,
    receiver,
    applyWorker,
    start() {
      if (!applyWorker || started) return;
      started = true;
      applyWorker
        .start()
        .catch((error: unknown) =>
          deps.logger.warn({ err: (error as Error).message }, 'apply worker could not listen; polling'),
        );
    },
    close: async () => {
      await applyWorker?.close();
    },
  };
}
