// A short ring of the latest delivery attempts and chaos drops, so "where is my webhook?" has
// an answer on the control surface without keeping every attempt of a long run in memory.

export interface DeliveryAttempt {
  event_id: string;
  event: string;
  endpoint_id: string;
  copy: number;
  /** 0 for a delivery the chaos switches dropped before any attempt. */
  attempt: number;
  outcome: 'delivered' | 'failed' | 'failed_by_chaos' | 'dropped_by_chaos';
  /** The receiver's status; null when it never answered or chaos failed the attempt. */
  status: number | null;
  at: string;
}

export interface AttemptLog {
  add(entry: Omit<DeliveryAttempt, 'at'>): void;
  /** Newest last, as copies. */
  list(): DeliveryAttempt[];
}

export function createAttemptLog(limit: number, now: () => number): AttemptLog {
  const entries: DeliveryAttempt[] = [];
  return {
    add(entry) {
      entries.push({ ...entry, at: new Date(now()).toISOString() });
      if (entries.length > limit) entries.splice(0, entries.length - limit);
    },
    list: () => entries.map((e) => ({ ...e })),
  };
}
