// Follows GET /api/v1/revocations/stream (server-sent events) and hands each event to the cache.
// While the stream is down, events may be missed: the cache is flushed when it drops and when it
// comes back, and answers are cached for the short fallback TTL meanwhile (so a revocation is
// honoured within that TTL, not within the long one). Reconnects with doubling backoff.
import type { ClientLogger, RevocationEvent } from './types.ts';

export interface StreamHandlers {
  onEvent(event: RevocationEvent): void;
  /** Missed events are possible: drop every cached answer. */
  onReset(): void;
  onState(up: boolean): void;
}

export interface StreamOptions {
  url: string;
  credential: string;
  fetch: typeof fetch;
  logger: ClientLogger;
  fallbackTtlMs: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * A connection silent this long is treated as dropped (Gatehouse pings every 15 s): a peer that
   * vanished without closing TCP must not leave the long cache TTL in force. Default 40 s.
   */
  silenceMs?: number;
}

/** Parses one SSE block (`event:`/`data:` lines) into its event name and data. */
export function parseSseBlock(block: string): { event: string; data: string } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}

export function followRevocations(
  options: StreamOptions,
  handlers: StreamHandlers,
): { ready: Promise<void>; close(): void } {
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let backoff = minBackoff;
  let closed = false;
  let controller: AbortController | null = null;
  let up = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const setUp = (value: boolean) => {
    if (value === up) return;
    up = value;
    handlers.onState(value);
  };

  const dispatch = (block: string) => {
    const parsed = parseSseBlock(block);
    if (!parsed) return;
    if (parsed.event === 'ready') {
      handlers.onReset();
      setUp(true);
      backoff = minBackoff;
      markReady();
      options.logger.info('gatehouse: revocation stream connected');
    } else if (parsed.event === 'reset') handlers.onReset();
    else if (parsed.event === 'revocation') {
      try {
        handlers.onEvent(JSON.parse(parsed.data) as RevocationEvent);
      } catch {
        handlers.onReset(); // an event we cannot read might have been a revocation
      }
    }
  };

  const connectOnce = async () => {
    controller = new AbortController();
    const res = await options.fetch(`${options.url}/api/v1/revocations/stream`, {
      headers: { authorization: `Bearer ${options.credential}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!res.ok || !res.body) throw new Error(`the revocation stream answered ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const current = controller;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => current.abort(new Error('the revocation stream went silent')),
        options.silenceMs ?? 40_000,
      );
      (watchdog as unknown as { unref?(): void }).unref?.();
    };
    let buffer = '';
    for (;;) {
      arm();
      const { value, done } = await reader.read().finally(() => clearTimeout(watchdog));
      if (done) break;
      buffer += value;
      for (let end = buffer.search(/\r?\n\r?\n/); end !== -1; end = buffer.search(/\r?\n\r?\n/)) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      }
    }
  };

  const loop = async () => {
    while (!closed) {
      try {
        await connectOnce();
        if (!closed) throw new Error('the revocation stream ended');
      } catch (error) {
        if (closed) return;
        const wasUp = up;
        setUp(false);
        handlers.onReset();
        if (wasUp || backoff === minBackoff) {
          options.logger.warn(
            `gatehouse: revocation stream down (${(error as Error).message}); caching answers for ` +
              `${options.fallbackTtlMs} ms only until it is back`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          (timer as unknown as { unref?(): void }).unref?.();
        });
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  };
  void loop();

  return {
    ready,
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
