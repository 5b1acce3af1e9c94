// One instance's apply worker: drains the queue when woken — by its own receiver right after an
// enqueue, by any instance's NOTIFY on commit (so a deactivation acknowledged by another instance
// applies here within the notification's latency), and by a poll that also picks up retries whose
// backoff ran out and anything a lost notification missed. One drain at a time per process; a wake
// during a drain runs one more pass after it, so no enqueued event waits for the poll.
import type { Kysely } from 'kysely';
import type { AccessRevoker } from '../mirror/context.ts';
import type { Database } from '../store/schema.ts';
import { APPLY_CHANNEL, drainQueue, type ApplyQueueDeps } from './apply-queue.ts';

export interface ApplyWorkerOptions {
  db: Kysely<Database>;
  access: AccessRevoker;
  /** The store's LISTEN (omitted: woken by the local receiver and the poll only). */
  listen?: (channel: string, onMessage: (payload: string) => void) => Promise<() => Promise<void>>;
  pollMs?: number;
  batchSize?: number;
  /** After a drain that applied events (e.g. to send queued mail). */
  onApplied?: (count: number) => void;
  onError?: (error: unknown) => void;
  /** Told of every event applied, after its batch committed (metrics). */
  onCommitted?: ApplyQueueDeps['onCommitted'];
}

export interface ApplyWorker {
  /** Wakes the worker; resolves when the drain it joined or started ends. */
  wake(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createApplyWorker(options: ApplyWorkerOptions): ApplyWorker {
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let unlisten: (() => Promise<void>) | null = null;

  const loop = async () => {
    do {
      again = false;
      try {
        const applied = await drainQueue(
          { db: options.db, access: options.access, onCommitted: options.onCommitted },
          options.batchSize,
        );
        if (applied > 0) options.onApplied?.(applied);
      } catch (error) {
        options.onError?.(error); // the store is down or the like: the next wake or poll retries
      }
    } while (again && !closed);
  };

  const wake = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = loop().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    wake,
    async start() {
      if (options.listen) unlisten = await options.listen(APPLY_CHANNEL, () => void wake());
      timer = setInterval(() => void wake(), options.pollMs ?? 1000);
      timer.unref();
      void wake();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      // A LISTEN connection that fails to end is reported, after the running drain finished.
      const ended = unlisten?.().then(
        () => undefined,
        (error: unknown) => error,
      );
      await running;
      const failure = await ended;
      if (failure === undefined) return;
      if (!options.onError) throw failure;
      options.onError(failure);
    },
  };
}
