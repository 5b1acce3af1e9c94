// Audit data must never hold secrets (DESIGN.md §3.5): the chain is exported and kept forever.
// Values under secret-looking keys are replaced before hashing, wherever they are nested.
const SECRET_KEY = /(password|secret|token|api[_-]?key|private[_-]?key|^code$|authorization|cookie)/i;

export const REDACTED = '[REDACTED]';

export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined ? REDACTED : redactSecrets(v);
  return out as T;
}
