// The client's address, decided in one place for rate limits, access decisions, audit entries
// and logs. Threat: a client forging `X-Forwarded-For` to dodge a rate limit per address, or to
// write someone else's address into the audit trail. The header is only believed hop by hop, from
// the right, while the hop that wrote it is a proxy we trust (TRUSTED_PROXIES); without trusted
// proxies it is ignored and the TCP peer is the client.
//
// Exported API: clientAddress({ trustedProxies? }) middleware, clientAddressOf(c),
//   resolveClientAddress(peer, xff, trusted)
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { isIP } from 'node:net';
import { normalizeAddress, type CidrList } from '../core/cidr.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the clientAddress middleware. */
    clientAddress: string;
  }
}

export const UNKNOWN_ADDRESS = 'unknown';

/** The TCP peer, or `unknown` when the request did not come through a Node socket (in-process tests). */
function peerAddress(c: Context): string {
  try {
    const address = getConnInfo(c).remote.address;
    return address ? normalizeAddress(address) : UNKNOWN_ADDRESS;
  } catch {
    return UNKNOWN_ADDRESS;
  }
}

/**
 * Walks `X-Forwarded-For` right to left. Each entry was appended by the hop to its right; while that
 * hop is trusted, the entry is believed and becomes the next hop. The first untrusted hop is the
 * client. An unparsable entry stops the walk at the last address known good.
 */
export function resolveClientAddress(
  peer: string,
  forwardedFor: string | undefined,
  trusted: CidrList | undefined,
): string {
  if (!trusted || !forwardedFor || peer === UNKNOWN_ADDRESS) return peer;
  let current = peer;
  const hops = forwardedFor.split(',').map(normalizeAddress).filter(Boolean);
  while (trusted.has(current)) {
    const next = hops.pop();
    if (next === undefined || isIP(next) === 0) return current;
    current = next;
  }
  return current;
}

/** Resolves the client address once per request and keeps it at `c.get('clientAddress')`. */
export function clientAddress(options: { trustedProxies?: CidrList | undefined } = {}): MiddlewareHandler {
  return async (c, next) => {
    c.set(
      'clientAddress',
      resolveClientAddress(peerAddress(c), c.req.header('x-forwarded-for'), options.trustedProxies),
    );
    await next();
  };
}

/** The client address the middleware decided; the TCP peer if it is not installed (never a header). */
export function clientAddressOf(c: Context): string {
  return (c.get('clientAddress') as string | undefined) ?? peerAddress(c);
}
