// The retention schedule `serve` starts: every RETENTION_INTERVAL_SECONDS, one instance (the one
// that wins the advisory lock) prunes; the others skip that tick. Built without I/O.
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Database } from '../store/schema.ts';
import { pruneOnce, withRetentionLock, type PrunedCounts, type RetentionPolicy } from './retention.ts';

export interface Retention {
  readonly policy: RetentionPolicy;
  /** One run under the cluster-wide lock; null when another instance held it. */
  run(now?: Date): Promise<PrunedCounts | null>;
  startSchedule(): void;
  close(): void;
}

export interface RetentionDeps {
  db: Kysely<Database>;
  engine: 'pglite' | 'postgres';
  logger: Logger;
  metrics?: Metrics;
}

function retentionPolicyFrom(config: Config): RetentionPolicy {
  return {
    webhookEventsDays: config.RETENTION_WEBHOOK_EVENTS_DAYS,
    sessionsDays: config.RETENTION_SESSIONS_DAYS,
    mailDays: config.RETENTION_MAIL_DAYS,
  };
}

export function createRetention(config: Config, deps: RetentionDeps): Retention {
  const policy = retentionPolicyFrom(config);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<PrunedCounts | null> | null = null;

  const runLocked = async (now?: Date): Promise<PrunedCounts | null> => {
    try {
      const result = await withRetentionLock(deps.db, deps.engine, () =>
        pruneOnce(deps.db, policy, now ? { now } : {}),
      );
      deps.metrics?.retentionRuns.inc({ outcome: result.ran ? 'completed' : 'skipped' });
      if (!result.ran) return null;
      for (const [table, n] of Object.entries(result.value)) if (n > 0) deps.metrics?.retentionPruned.inc({ table }, n);
      return result.value;
    } catch (error) {
      deps.metrics?.retentionRuns.inc({ outcome: 'failed' });
      throw error;
    }
  };
  // A second caller in this process shares the run in progress instead of starting another.
  const run = (now?: Date) =>
    (running ??= runLocked(now).finally(() => {
      running = null;
    }));

  return {
    policy,
    run,
    startSchedule() {
      if (config.RETENTION_INTERVAL_SECONDS === 0 || timer) return;
      timer = setInterval(() => {
        run().then(
          (pruned) => {
            if (pruned && Object.values(pruned).some((n) => n > 0))
              deps.logger.info({ pruned }, 'retention pruned old rows');
          },
          (error: unknown) =>
            deps.logger.warn({ err: (error as Error).message }, 'retention run failed; next run retries'),
        );
      }, config.RETENTION_INTERVAL_SECONDS * 1000);
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
