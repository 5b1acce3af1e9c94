// Directory sync, built from a Config without I/O: reconciliation against the WorkOS Events and
// Directory APIs, on demand and on a RECONCILE_INTERVAL_SECONDS schedule. The composition root
// (src/app.ts) passes in the store, the AccessRevoker wired to the sessions revocation bus and the
// mail delivery (a reconciliation may ingest a magic_auth.created event).
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { AccessRevoker } from '../mirror/context.ts';
import type { Database } from '../store/schema.ts';
import type { DriftReport } from './drift-report.ts';
import { reconcile, withReconcileLock, type ReconcileOptions } from './reconcile.ts';
import { workosClientOptions } from '../identity/workos/sdk-client.ts';
import { createDirectoryClient, type DirectoryClient } from './workos-client.ts';

export interface DirectorySyncDeps {
  db: Kysely<Database>;
  engine: 'pglite' | 'postgres';
  logger: Logger;
  access: AccessRevoker;
  /** Overrides the SDK client built from WORKOS_* (tests). */
  client?: DirectoryClient;
  /** Sends queued mail after a scheduled run (default: none sent). */
  deliverMail?: () => Promise<number>;
  /** Told how each reconciliation run ended (metrics): the report, null when another instance held the lock. */
  onReconcile?: (result: { report: DriftReport | null } | { error: unknown }) => void;
}

export interface DirectorySync {
  readonly client: DirectoryClient | undefined;
  /** One reconciliation run under the cluster-wide lock; null if another instance holds it. */
  reconcile(options?: ReconcileOptions): Promise<DriftReport | null>;
  deliverMail(): Promise<number>;
  /** Starts the RECONCILE_INTERVAL_SECONDS schedule (no-op when 0 or without a client). */
  startSchedule(): void;
  close(): void;
}

export function createDirectorySync(config: Config, deps: DirectorySyncDeps): DirectorySync {
  const workos = workosClientOptions(config);
  const client = deps.client ?? (workos ? createDirectoryClient(workos) : undefined);
  const deliverMail = deps.deliverMail ?? (() => Promise.resolve(0));

  let timer: NodeJS.Timeout | null = null;
  const run = async (options: ReconcileOptions = {}): Promise<DriftReport | null> => {
    if (!client) throw new TypeError('reconciliation needs WORKOS_API_KEY');
    try {
      const result = await withReconcileLock(deps.db, deps.engine, () =>
        reconcile({ db: deps.db, client, access: deps.access }, options),
      );
      deps.onReconcile?.({ report: result.ran ? result.value : null });
      return result.ran ? result.value : null;
    } catch (error) {
      deps.onReconcile?.({ error });
      throw error;
    }
  };

  return {
    client,
    reconcile: run,
    deliverMail,
    startSchedule() {
      if (!client || config.RECONCILE_INTERVAL_SECONDS === 0 || timer) return;
      let running = false;
      const tick = async () => {
        // A run longer than the interval must not overlap the next one in this process.
        if (running) return;
        running = true;
        try {
          const report = await run();
          if (report && report.drift > 0)
            deps.logger.info({ drift: report.drift, events: report.events }, 'reconciliation repaired drift');
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
    },
  };
}
