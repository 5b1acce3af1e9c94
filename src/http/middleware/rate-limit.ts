// Rate limit per source address for the sign-in routes (/auth/*), in memory (each instance counts
// its own; a shared limit would need the database on every request). Threats: password-reset
// mail bombing, code/state guessing at the callback, and a script hammering the provider through
// us until WorkOS rate-limits our whole API key. A token bucket: `burst` requests at once,
// refilled at `perMinute`; over the limit answers 429 RATE_LIMITED with Retry-After.
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import { createFailureLimiter } from '../../access/rate-limit.ts';
import { clientAddressOf } from '../client-address.ts';

export interface RateLimitOptions {
  burst?: number;
  perMinute?: number;
  /** How a request names its source; by default the client address (X-Forwarded-For only through TRUSTED_PROXIES). */
  keyOf?: (c: Context) => string;
  clock?: () => number;
}

export function rateLimit(options: RateLimitOptions = {}): MiddlewareHandler {
  const limiter = createFailureLimiter({
    burst: options.burst ?? 60,
    refillPerSecond: (options.perMinute ?? 60) / 60,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const keyOf = options.keyOf ?? clientAddressOf;
  return async (c, next) => {
    const key = keyOf(c);
    const wait = limiter.retryAfter(key);
    if (wait > 0)
      throw new AppError('RATE_LIMITED', 'Too many sign-in requests; try again later', {
        details: { retryAfter: wait },
      });
    limiter.fail(key); // every request spends a token here, not only failures
    await next();
  };
}
