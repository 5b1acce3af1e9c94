// Group commit for durable acknowledgement. Each verified event must be committed to the inbox
// before its 200, but a statement and a commit per delivery makes the database round trip — not
// the work — the limit when WorkOS delivers many events at once. So deliveries that arrive while
// earlier inserts are in flight wait for the next statement and share it: one multi-row insert,
// one commit, one NOTIFY; each delivery is answered after the commit that holds its row, exactly as
// if it had been inserted alone. At most `maxInFlight` statements run at once (the rest of the
// pool stays free for the apply workers), each with at most `maxBatch` events.
//
// A statement that fails is retried event by event, so one event the database refuses (e.g. a
// string jsonb cannot hold) fails only its own delivery — WorkOS retries it — not its neighbours'.
import type { Kysely } from 'kysely';
import type { ProviderEvent } from '../mirror/provider-event.ts';
import type { Database } from '../store/schema.ts';
import { enqueueEvents } from './apply-queue.ts';

export interface InboxBatcherOptions {
  /** Statements in flight at once (default 2). */
  maxInFlight?: number;
  /** Events per statement at most (default 100). */
  maxBatch?: number;
}

export interface InboxBatcher {
  /** Resolves once the event's pending row committed: true when new, false for a duplicate. */
  enqueue(event: ProviderEvent): Promise<boolean>;
}

interface Waiting {
  event: ProviderEvent;
  resolve: (queued: boolean) => void;
  reject: (error: unknown) => void;
}

export function createInboxBatcher(db: Kysely<Database>, options: InboxBatcherOptions = {}): InboxBatcher {
  const maxInFlight = options.maxInFlight ?? 2;
  const maxBatch = options.maxBatch ?? 100;
  if (!(maxInFlight >= 1 && maxBatch >= 1))
    throw new TypeError('the inbox batcher needs maxInFlight and maxBatch >= 1');
  const waiting: Waiting[] = [];
  let inFlight = 0;

  const write = async (batch: Waiting[]): Promise<void> => {
    try {
      const queued = await enqueueEvents(
        db,
        batch.map((w) => w.event),
        'webhook',
      );
      for (const [i, w] of batch.entries()) w.resolve(queued[i] === true);
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // Nothing of the statement committed: each event alone, so a bad one fails by itself.
      await Promise.all(batch.map((w) => write([w])));
    }
  };

  const flush = (): void => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      inFlight++;
      void write(waiting.splice(0, maxBatch)).finally(() => {
        inFlight--;
        flush();
      });
    }
  };

  return {
    enqueue: (event) =>
      new Promise<boolean>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        flush();
      }),
  };
}
