// Canonical JSON in the manner of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
// whitespace, numbers and strings as ECMAScript serializes them. The former audit hash chain hashed
// this form (jsonb reorders keys); the Merkle log instead keeps the exact bytes it hashes.
import { AppError } from './errors.ts';
import { MAX_JSON_DEPTH } from './json-depth.ts';

// The depth limit keeps a hostile deeply nested value from overflowing the stack (a 500).
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (depth >= MAX_JSON_DEPTH) throw new AppError('REQUEST_TOO_DEEP', 'The data nests too deeply');
      if (Array.isArray(value))
        return `[${value.map((v) => canonicalJson(v === undefined ? null : v, depth + 1)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
