// Everything issue "webhooks and directory sync" runs, built from a Config without I/O: the
// receiver's routes, reconciliation (on demand and on a schedule), and the mail sender that
// follows magic_auth.created. The composition root (src/app.ts) passes in the store and the
// AccessRevoker wired to the sessions revocation bus.
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { deliverPendingMail } from '../mail/mail-sender.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import type { Database } from '../store/schema.ts';
import { readBacklog, type Backlog } from '../webhooks/apply-queue.ts';
import { createApplyWorker, type ApplyWorker } from '../webhooks/apply-worker.ts';
import { createWebhookReceiver, type WebhookReceiver } from '../webhooks/receiver.ts';
import { parseWebhookSecrets } from '../webhooks/signature.ts';
import type { AccessRevoker } from './context.ts';
import type { DriftReport } from './drift-report.ts';
import { reconcile, withReconcileLock, type ReconcileOptions } from './reconcile.ts';
import { createDirectoryClient, type DirectoryClient } from './workos-client.ts';

export interface DirectorySyncDeps {
  db: Kysely<Database>;
  engine: 'pglite' | 'postgres';
  logger: Logger;
  access: AccessRevoker;
  /** Overrides the SDK client built from WORKOS_* (tests). */
  client?: DirectoryClient;
  mailer?: Mailer;
  /** Told of every committed webhook event (metrics: counts and lag). */
  onWebhookCommitted?: (event: { created_at: string }, outcome: string) => void;
  /** Told how each reconciliation run ended (metrics): the report, null when another instance held the lock. */
  onReconcile?: (result: { report: DriftReport | null } | { error: unknown }) => void;
  /** The store's LISTEN, so apply workers wake on every instance's enqueue. */
  listen?: (channel: string, onMessage: (payload: string) => void) => Promise<() => Promise<void>>;
}

export interface DirectorySync {
  /** POST /webhooks/workos, or undefined without WORKOS_WEBHOOK_SECRET. */
  readonly routes: Hono | undefined;
  readonly receiver: WebhookReceiver | undefined;
  readonly client: DirectoryClient | undefined;
  /** One reconciliation run under the cluster-wide lock; null if another instance holds it. */
  reconcile(options?: ReconcileOptions): Promise<DriftReport | null>;
  deliverMail(): Promise<number>;
  /** The apply worker when WEBHOOK_ACKNOWLEDGE=durable. */
  readonly applyWorker: ApplyWorker | undefined;
  /** Pending and failed inbox events, and the age of the oldest pending one. */
  backlog(): Promise<Backlog>;
  /**
   * Starts the apply worker (WEBHOOK_ACKNOWLEDGE=durable) and the RECONCILE_INTERVAL_SECONDS
   * schedule (no-op when 0 or without a client).
   */
  startSchedule(): void;
  close(): void;
}

export function createDirectorySync(config: Config, deps: DirectorySyncDeps): DirectorySync {
  const client = deps.client ?? (config.WORKOS_API_KEY
    ? createDirectoryClient({ apiKey: config.WORKOS_API_KEY, clientId: config.WORKOS_CLIENT_ID, apiHostname: config.WORKOS_API_HOSTNAME, port: config.WORKOS_API_PORT, https: config.WORKOS_API_HTTPS })
    : undefined);
  const mailer = deps.mailer ?? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, devOutboxDir: join(config.GATEHOUSE_DATA_DIR, 'outbox') });
  let mailRun: Promise<number> | null = null;

  const deliverMail = (): Promise<number> => {
    if (!client) return Promise.resolve(0);
    // One send loop per process at a time; a second caller shares the running one.
    mailRun ??= deliverPendingMail({ db: deps.db, mailer, magicAuthCode: (id) => client.getMagicAuthCode(id) }).finally(() => { mailRun = null; });
    return mailRun;
  };

  const secrets = parseWebhookSecrets(config.WORKOS_WEBHOOK_SECRET);
  const durable = config.WEBHOOK_ACKNOWLEDGE === 'durable';
  const applyWorker = durable
    ? createApplyWorker({
      db: deps.db, access: deps.access, ...(deps.listen ? { listen: deps.listen } : {}),
      onApplied: () => void deliverMail().catch((error: unknown) => deps.logger.warn({ err: (error as Error).message }, 'mail delivery failed; will retry')),
      onError: (error) => deps.logger.warn({ err: (error as Error).message }, 'applying queued webhook events failed; will retry'),
    })
    : undefined;
  const receiver = secrets.length > 0
    ? createWebhookReceiver({
      db: deps.db, access: deps.access, secrets, acknowledge: durable ? 'durable' : 'applied',
      ...(applyWorker ? { onQueued: () => void applyWorker.wake() } : {}),
      onRejected: (reason) => deps.logger.warn({ reason }, 'webhook delivery refused: invalid signature'),
      afterCommit: (event, outcome) => {
        deps.onWebhookCommitted?.(event, outcome);
        if (outcome === 'applied' && event.event === 'magic_auth.created') {
          deliverMail().catch((error: unknown) => deps.logger.warn({ err: (error as Error).message }, 'mail delivery failed; will retry'));
        }
      },
    })
    : undefined;

  let timer: NodeJS.Timeout | null = null;
  let workerStarted = false;
  const run = async (options: ReconcileOptions = {}): Promise<DriftReport | null> => {
    if (!client) throw new TypeError('reconciliation needs WORKOS_API_KEY');
    try {
      const result = await withReconcileLock(deps.db, deps.engine, () => reconcile({ db: deps.db, client, access: deps.access }, options));
      deps.onReconcile?.({ report: result.ran ? result.value : null });
      return result.ran ? result.value : null;
    } catch (error) {
      deps.onReconcile?.({ error });
      throw error;
    }
  };

  return {
    routes: receiver?.routes,
    receiver,
    client,
    reconcile: run,
    deliverMail,
    applyWorker,
    backlog: () => readBacklog(deps.db),
    startSchedule() {
      if (applyWorker && !workerStarted) {
        workerStarted = true;
        applyWorker.start().catch((error: unknown) => deps.logger.warn({ err: (error as Error).message }, 'apply worker could not listen; polling'));
      }
      if (!client || config.RECONCILE_INTERVAL_SECONDS === 0 || timer) return;
      let running = false;
      const tick = async () => {
        // A run longer than the interval must not overlap the next one in this process.
        if (running) return;
        running = true;
        try {
          const report = await run();
          if (report && report.drift > 0) deps.logger.info({ drift: report.drift, events: report.events }, 'reconciliation repaired drift');
          await deliverMail();
        } catch (error) {
          deps.logger.warn({ err: (error as Error).message }, 'scheduled reconciliation failed; next run retries');
        } finally {
          running = false;
        }
      };
      timer = setInterval(() => void tick(), config.RECONCILE_INTERVAL_SECONDS * 1000);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      void applyWorker?.close();
      mailer.close();
    },
  };
}
