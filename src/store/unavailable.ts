// Whether an error means the database could not be reached (as opposed to a query it refused):
// the HTTP error handler answers those `503 STORE_UNAVAILABLE`, retryable, instead of a 500.

// Node socket errors while connecting or talking to the server.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);
// PostgreSQL SQLSTATEs: class 08 (connection exception), shutdown and startup (57P01-57P03),
// too many connections (53300).
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// node-postgres raises these as plain Errors without a code.
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
  /Cannot use a pool after calling end/,
];

export function isStoreUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
    }
    if (DRIVER_MESSAGES.some((m) => m.test(e instanceof Error ? e.message : ''))) return true;
  }
  return false;
}
