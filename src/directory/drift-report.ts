// The drift report a reconciliation run ends with: per kind, how many rows it created, updated,
// deprovisioned, or found already right. A run right after another reports zero drift.
import type { MirrorChange, MirrorKind } from '../mirror/context.ts';

export type KindCounts = Record<MirrorChange, number>;

export interface DriftReport {
  kinds: Partial<Record<MirrorKind, KindCounts>>;
  events: { read: number; applied: number; duplicate: number; stale: number; unhandled: number; invalid: number };
  /** Rows created, updated or deprovisioned: 0 means the mirror already matched. */
  drift: number;
  /** Webhook events still waiting in the apply queue when the run ended, and those parked failed. */
  backlog?: { pending: number; failed: number; oldestPendingSeconds: number };
  failedEvents?: Array<{ id: string; type: string; attempts: number; lastError: string | null }>;
}

export function emptyReport(): DriftReport {
  return { kinds: {}, events: { read: 0, applied: 0, duplicate: 0, stale: 0, unhandled: 0, invalid: 0 }, drift: 0 };
}

export function count(report: DriftReport, kind: MirrorKind, change: MirrorChange, n = 1): void {
  const k = (report.kinds[kind] ??= { created: 0, updated: 0, deprovisioned: 0, unchanged: 0 });
  k[change] += n;
  if (change !== 'unchanged') report.drift += n;
}

export function formatReport(report: DriftReport): string[] {
  const lines = [
    `events: read ${report.events.read}, applied ${report.events.applied}, already applied ${report.events.duplicate}, stale ${report.events.stale}, unhandled ${report.events.unhandled}, invalid ${report.events.invalid}`,
  ];
  for (const [kind, c] of Object.entries(report.kinds)) {
    lines.push(
      `${kind.padEnd(16)} created ${c.created}, updated ${c.updated}, deprovisioned ${c.deprovisioned}, unchanged ${c.unchanged}`,
    );
  }
  lines.push(report.drift === 0 ? 'drift: none' : `drift: ${report.drift} repaired`);
  if (report.backlog) {
    const b = report.backlog;
    lines.push(
      `apply backlog: ${b.pending} pending${b.pending ? ` (oldest ${b.oldestPendingSeconds} s)` : ''}, ${b.failed} failed`,
    );
  }
  for (const f of report.failedEvents ?? [])
    lines.push(`failed event ${f.id} (${f.type}) after ${f.attempts} attempts: ${f.lastError ?? ''}`);
  return lines;
}
