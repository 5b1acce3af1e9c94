// Audit data must never hold secrets (DESIGN.md §3.5): the chain is exported and kept forever.
// Values under secret-looking keys are replaced before hashing, wherever they are nested.
import { AppError } from '../core/errors.ts';
import { MAX_JSON_DEPTH } from '../core/json-depth.ts';

const SECRET_KEY = /(password|secret|token|api[_-]?key|private[_-]?key|^code$|authorization|cookie)/i;

export const REDACTED = '[REDACTED]';

// The depth limit keeps a hostile deeply nested value from overflowing the stack (a 500).
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (depth >= MAX_JSON_DEPTH) throw new AppError('REQUEST_TOO_DEEP', 'The data nests too deeply');
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined ? REDACTED : redactSecrets(v, depth + 1);
  return out as T;
}
