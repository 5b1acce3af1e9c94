import {
  applyChaosPatch,
  delayFor,
  NO_CHAOS,
  shouldDrop,
  shouldDuplicate,
  shouldFailAttempt,
  type ChaosPatch,
  type ChaosSettings,
  type DeliveryKey,
} from './chaos.ts';
import { seedStream, shuffleInPlace } from './prng.ts';
import { SIGNATURE_HEADER, signWebhookBody } from './signature.ts';
import { createAttemptLog, type DeliveryAttempt } from './attempt-log.ts';
import { createHttpPoster, type DeliveryFetch } from './http-post.ts';

export type { DeliveryAttempt, DeliveryFetch };

// Webhook delivery: every emitted event goes to every enabled endpoint subscribed to its type,
// signed with that endpoint's secret, retried with exponential backoff on a non-2xx answer, a
// network error or a timeout. Chaos switches (chaos.ts) sit between the event log and the wire.
// Each endpoint has its own lane of at most `concurrency` deliveries in flight, as WorkOS sends in
// parallel and promises no order (ordered consumption is its Events API's job): a slow receiver
// holds back only its own deliveries, and a 10,000-user push is not sent one request at a time.

/** Deliveries in flight per endpoint when the caller does not say. */
export const DEFAULT_CONCURRENCY = 10;

/** The event as the Events API holds it; only these four fields go into the webhook body. */
export interface DeliverableEvent {
  id: string;
  event: string;
  data: unknown;
  created_at: string;
}

/** The part of a webhook endpoint that delivery needs (WorkOS `WebhookEndpointJson`). */
export interface DeliveryEndpoint {
  id: string;
  endpoint_url: string;
  secret: string;
  status: 'enabled' | 'disabled';
  /** Subscribed event types; empty means every type. */
  events: readonly string[];
}

export interface RetryOptions {
  /** Attempts per delivery including the first. */
  maxAttempts: number;
  /** Wait before the 2nd attempt; later waits grow by `factor`. */
  baseDelayMs: number;
  factor: number;
  /** An attempt that has not answered in this time counts as failed. */
  timeoutMs: number;
}

export interface DispatcherOptions {
  /** The HTTP client (tests inject one); by default node:http with keep-alive sockets. */
  fetch?: DeliveryFetch;
  endpoints: () => readonly DeliveryEndpoint[];
  retry?: Partial<RetryOptions>;
  chaos?: ChaosPatch;
  /** Deliveries in flight at once per endpoint (default 10; 1 keeps a fault-free run in emission order). */
  concurrency?: number;
  now?: () => number;
}

export interface DeliveryStats {
  events: number;
  deliveries: number;
  attempts: number;
  delivered: number;
  failedAttempts: number;
  dropped: number;
  duplicated: number;
  gaveUp: number;
}

const RECENT_ATTEMPTS = 200;

export interface WebhookDispatcher {
  enqueue(event: DeliverableEvent): void;
  /** The latest attempts, newest last. */
  recent(): DeliveryAttempt[];
  chaos(): ChaosSettings;
  setChaos(patch: ChaosPatch): ChaosSettings;
  stats(): DeliveryStats;
  /** Resolves once nothing is queued, waiting, in flight or scheduled for retry. */
  idle(): Promise<void>;
  close(): void;
}

interface Job {
  eventId: string;
  eventType: string;
  key: DeliveryKey;
  copy: number;
  endpoint: DeliveryEndpoint;
  body: string;
  attempt: number;
}

interface Lane {
  ready: Job[];
  head: number;
  inFlight: number;
}

const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 1_000,
  factor: 4,
  timeoutMs: 10_000,
});

export function createWebhookDispatcher(options: DispatcherOptions): WebhookDispatcher {
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw new TypeError('options.fetch must be a function');
  const poster = options.fetch ? undefined : createHttpPoster();
  const post = options.fetch ?? (poster as NonNullable<typeof poster>).post;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const now = options.now ?? Date.now;
  let settings = applyChaosPatch(NO_CHAOS, options.chaos ?? {});
  let seq = 0;
  let batchNo = 0;
  let closed = false;
  const stats: DeliveryStats = {
    events: 0,
    deliveries: 0,
    attempts: 0,
    delivered: 0,
    failedAttempts: 0,
    dropped: 0,
    duplicated: 0,
    gaveUp: 0,
  };

  const attempts = createAttemptLog(RECENT_ATTEMPTS, now);

  const reorderBuffer: Job[] = [];
  let flushScheduled = false;
  // Per endpoint, released jobs waiting for a slot, first in first out. A head index instead of
  // Array#shift: a push of 100,000 users queues that many deliveries, and shifting each would copy
  // the rest.
  const lanes = new Map<string, Lane>();
  let pending = 0; // jobs anywhere between enqueue and their final outcome
  const timers = new Set<NodeJS.Timeout>();
  let idleWaiters: (() => void)[] = [];

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  function settle(): void {
    if (closed) return;
    pending--;
    if (pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function subscribed(endpoint: DeliveryEndpoint, type: string): boolean {
    return endpoint.status === 'enabled' && (endpoint.events.length === 0 || endpoint.events.includes(type));
  }

  function enqueue(event: DeliverableEvent): void {
    if (closed) return;
    stats.events++;
    const eventSeq = seq++;
    // Compact JSON of exactly these four fields: the receiver verifies the HMAC over these bytes.
    const body = JSON.stringify({ id: event.id, event: event.event, data: event.data, created_at: event.created_at });
    for (const endpoint of options.endpoints()) {
      if (!subscribed(endpoint, event.event)) continue;
      const key = { seq: eventSeq, endpointId: endpoint.id };
      if (shouldDrop(settings, key)) {
        stats.dropped++;
        attempts.add({
          event_id: event.id,
          event: event.event,
          endpoint_id: endpoint.id,
          copy: 0,
          attempt: 0,
          outcome: 'dropped_by_chaos',
          status: null,
        });
        continue;
      }
      const copies = shouldDuplicate(settings, key) ? 2 : 1;
      if (copies > 1) stats.duplicated++;
      for (let copy = 0; copy < copies; copy++) {
        stats.deliveries++;
        pending++;
        reorderBuffer.push({ eventId: event.id, eventType: event.event, key, copy, endpoint, body, attempt: 1 });
      }
    }
    if (reorderBuffer.length >= Math.max(1, settings.reorderWindow)) flushReorder();
    else scheduleFlush();
  }

  // Without reordering a partial batch leaves on the next turn of the event loop. With a
  // window, a batch that has not filled leaves after `reorderHoldMs`, so events trickling in
  // one by one (a SCIM client, a demo) are still shuffled, and a quiet stream is not held forever.
  let flushTimer: NodeJS.Timeout | undefined;
  function scheduleFlush(): void {
    if (flushScheduled || reorderBuffer.length === 0) return;
    flushScheduled = true;
    const run = () => {
      flushScheduled = false;
      flushTimer = undefined;
      if (!closed) flushReorder();
    };
    if (settings.reorderWindow > 1) flushTimer = setTimeout(run, settings.reorderHoldMs);
    else setImmediate(run);
  }

  function flushReorder(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    flushScheduled = false;
    const batch = reorderBuffer.splice(0, reorderBuffer.length);
    if (settings.reorderWindow > 1) shuffleInPlace(batch, seedStream(settings.seed, 'reorder', batchNo++));
    for (const job of batch) {
      const wait = delayFor(settings, job.key, job.copy);
      if (wait > 0) later(wait, () => release(job));
      else release(job);
    }
  }

  function release(job: Job): void {
    if (closed) return;
    let lane = lanes.get(job.endpoint.id);
    if (!lane) {
      lane = { ready: [], head: 0, inFlight: 0 };
      lanes.set(job.endpoint.id, lane);
    }
    lane.ready.push(job);
    pump(job.endpoint.id, lane);
  }

  function pump(endpointId: string, lane: Lane): void {
    while (!closed && lane.inFlight < concurrency && lane.head < lane.ready.length) {
      const job = lane.ready[lane.head++] as Job;
      if (lane.head > 1024 && lane.head * 2 > lane.ready.length) {
        lane.ready = lane.ready.slice(lane.head);
        lane.head = 0;
      }
      lane.inFlight++;
      void attempt(job).finally(() => {
        lane.inFlight--;
        pump(endpointId, lane);
      });
    }
    // An idle lane goes, so endpoints that come and go leave nothing behind.
    if (lane.inFlight === 0 && lane.head >= lane.ready.length && lanes.get(endpointId) === lane)
      lanes.delete(endpointId);
  }

  async function attempt(job: Job): Promise<void> {
    stats.attempts++;
    const byChaos = shouldFailAttempt(settings, job.key, job.copy, job.attempt);
    const status = byChaos ? null : await send(job);
    const ok = status !== null && status >= 200 && status < 300;
    attempts.add({
      event_id: job.eventId,
      event: job.eventType,
      endpoint_id: job.endpoint.id,
      copy: job.copy,
      attempt: job.attempt,
      outcome: ok ? 'delivered' : byChaos ? 'failed_by_chaos' : 'failed',
      status,
    });
    if (ok) {
      stats.delivered++;
      settle();
      return;
    }
    stats.failedAttempts++;
    if (job.attempt >= retry.maxAttempts || closed) {
      stats.gaveUp++;
      settle();
      return;
    }
    const wait = retry.baseDelayMs * retry.factor ** (job.attempt - 1);
    job.attempt++;
    later(wait, () => release(job));
  }

  /** The receiver's status, or null when it never answered (refused, reset, timed out). */
  async function send(job: Job): Promise<number | null> {
    try {
      const res = await post(job.endpoint.endpoint_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'WorkOS Emulator Webhooks',
          [SIGNATURE_HEADER]: signWebhookBody(job.body, job.endpoint.secret, now()),
        },
        body: job.body,
        signal: AbortSignal.timeout(retry.timeoutMs),
      });
      // Drain the answer so keep-alive sockets are reused instead of piling up.
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return null; // refused, reset or timed out: all count as a failed attempt
    }
  }

  return {
    enqueue,
    chaos: () => ({ ...settings }),
    setChaos(patch) {
      settings = applyChaosPatch(settings, patch);
      return { ...settings };
    },
    stats: () => ({ ...stats }),
    recent: () => attempts.list(),
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      closed = true;
      poster?.close();
      if (flushTimer) clearTimeout(flushTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      reorderBuffer.length = 0;
      lanes.clear();
      pending = 0;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
  };
}
