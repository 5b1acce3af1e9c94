// The revocation bus (DESIGN.md §3.4): what must stop being honoured reaches every instance within
// a second. Publishers call `publishRevocation(tx, event)` inside the transaction that makes the
// change; PostgreSQL delivers the NOTIFY only on commit, so an instance never evicts for a change
// that rolled back, and never misses one that committed while its channel was up.
//
// The instance that publishes does not wait for its own notification: `publishRevocation` also
// hands the event to this process's subscribers at once (`onPublished`, through the store's local
// echo), inside the request that made the change, before it answers. That is the one place local
// eviction happens, so no caller can forget it. The caches evict and, until the notification
// comes back after commit, refuse to cache what the event matches (a request racing the commit
// could otherwise re-cache the credential from a read made before it).
//
// Each instance LISTENs on a dedicated connection (`store.listen`) and hands every event to its
// subscribers (the credential caches), which drop matching entries at once. If that connection
// dies, notifications sent meanwhile are lost: the bus reconnects with backoff and, on reconnect,
// tells subscribers to flush everything (`onReset`), so staleness is bounded by the outage plus
// the caches' TTL, never by the TTL alone while the channel is up.
//
// Exported API:
//   publishRevocation(tx, event)               NOTIFY inside the caller's transaction
//   openRevocationBus({ store, logger? })      -> RevocationBus (subscribe, connected, close)
//   parseRevocationEvent(text)                 validates a payload (untrusted: anyone with SQL can NOTIFY)
import { z } from 'zod';
import type { RevocationEvent } from '../core/auth-context.ts';
import { notify } from '../store/store-context.ts';
import type { Store } from '../store/store.ts';
import type { Tx } from '../store/tenant.ts';

export const REVOCATION_CHANNEL = 'gatehouse_revocations';

const EventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), sessionId: z.string().min(1) }),
  z.object({ kind: z.literal('user'), userId: z.string().min(1), organizationId: z.string().min(1).optional() }),
  z.object({ kind: z.literal('membership'), organizationId: z.string().min(1), userId: z.string().min(1) }),
  z.object({ kind: z.literal('api_key'), apiKeyId: z.string().min(1) }),
  z.object({
    kind: z.literal('organization'),
    organizationId: z.string().min(1),
    reason: z.enum(['sso_enforced', 'deleted']),
  }),
  z.object({ kind: z.literal('role'), organizationId: z.string().min(1), role: z.string().min(1) }),
]);

function parseRevocationEvent(text: string): RevocationEvent | null {
  try {
    const parsed = EventSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as RevocationEvent) : null;
  } catch {
    return null;
  }
}

/** Sends `event` to every instance when `tx` commits, and to this instance's subscribers now. */
export async function publishRevocation(tx: Tx, event: RevocationEvent): Promise<void> {
  const payload = EventSchema.parse(event); // refuse to send what listeners would drop
  await notify(tx, REVOCATION_CHANNEL, JSON.stringify(payload));
}

export interface RevocationSubscriber {
  onEvent(event: RevocationEvent): void;
  /**
   * This instance published `event` in a transaction that has not committed yet: evict now, and
   * hold back caching what it matches until the event arrives through `onEvent`.
   */
  onPublished?(event: RevocationEvent): void;
  /** The channel was down: events may have been missed, drop everything cached. */
  onReset(): void;
}

export interface RevocationBus {
  subscribe(subscriber: RevocationSubscriber): () => void;
  /** True while the LISTEN connection is up. */
  readonly connected: boolean;
  /** Resolves once the first LISTEN succeeded (or rejects after the first failure). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface RevocationBusOptions {
  store: Pick<Store, 'listen'> & Partial<Pick<Store, 'onLocalNotify'>>;
  logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  channel?: string;
  /** Backoff between reconnect attempts: min, doubling to max (ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function openRevocationBus(options: RevocationBusOptions): RevocationBus {
  const channel = options.channel ?? REVOCATION_CHANNEL;
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const subscribers = new Set<RevocationSubscriber>();
  let stop: (() => Promise<void>) | null = null;
  let connected = false;
  let everConnected = false;
  let closed = false;
  let backoff = minBackoff;
  let timer: NodeJS.Timeout | null = null;

  const deliver = (payload: string) => {
    const event = parseRevocationEvent(payload);
    if (!event) {
      options.logger?.warn({ channel }, 'revocation bus: ignored a malformed event');
      return;
    }
    for (const s of subscribers) s.onEvent(event);
  };

  const onLost = (error: Error) => {
    connected = false;
    stop = null;
    options.logger?.warn({ channel, err: error.message }, 'revocation bus: connection lost, reconnecting');
    schedule();
  };

  const connect = async (): Promise<void> => {
    const stopFn = await options.store.listen(channel, deliver, onLost);
    if (closed) {
      await stopFn();
      return;
    }
    stop = stopFn;
    connected = true;
    backoff = minBackoff;
    // Anything published while we were not listening is lost: flush so nothing stale survives.
    if (everConnected) for (const s of subscribers) s.onReset();
    everConnected = true;
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect().catch((error: Error) => {
        options.logger?.warn({ channel, err: error.message, retryInMs: backoff }, 'revocation bus: reconnect failed');
        backoff = Math.min(backoff * 2, maxBackoff);
        schedule();
      });
    }, backoff);
    timer.unref();
  };

  const stopLocal = options.store.onLocalNotify?.(channel, (payload) => {
    const event = parseRevocationEvent(payload);
    if (event) for (const s of subscribers) s.onPublished?.(event);
  });

  const ready = connect();
  ready.catch(() => schedule());

  return {
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    get connected() {
      return connected;
    },
    ready,
    async close() {
      closed = true;
      stopLocal?.();
      if (timer) clearTimeout(timer);
      connected = false;
      const s = stop;
      stop = null;
      await s?.();
    },
  };
}
