// Prometheus metrics (prom-client). One registry per Gatehouse, built by the composition root and
// passed to whoever counts: no module-level registry, so two Gatehouses in one process (tests, the
// rolling-upgrade suite) never mix their figures.
//
// Label rule (threat: a scrape endpoint leaking who signed in, or a label per user exhausting the
// TSDB): labels carry only bounded vocabularies — route templates, status codes, error codes,
// credential kinds, outcome words, table and kind names. Never an id, an email, a path with an id
// in it, or a secret.
//
// Exported API: createMetrics() -> Metrics; Metrics.addSources(sources) for values read at scrape time
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Values only their owners know, read when Prometheus scrapes. Each is optional. */
export interface MetricSources {
  /** node-postgres pool figures (PostgreSQL only). */
  pool?: () => { total: number; idle: number; waiting: number } | undefined;
  /** Whether this instance's revocation LISTEN connection is up. */
  revocationBusConnected?: () => boolean;
  /** The webhook receiver's running totals (src/webhooks/receiver.ts). */
  webhookStats?: () => Record<string, number>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const sources: MetricSources = {};
  const on = { registers: [registry] };

  const metrics = {
    registry,
    httpRequests: new Counter({
      ...on,
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames: ['method', 'route', 'status'] as const,
    }),
    httpDuration: new Histogram({
      ...on,
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
    }),
    accessDecisions: new Counter({
      ...on,
      name: 'gatehouse_access_decisions_total',
      help: 'Access decisions by the credential presented and the outcome (allowed or the error code)',
      labelNames: ['credential', 'outcome'] as const,
    }),
    signIns: new Counter({
      ...on,
      name: 'gatehouse_sign_ins_total',
      help: 'Completed sign-in attempts by response type',
      labelNames: ['response_type'] as const,
    }),
    webhookApplied: new Counter({
      ...on,
      name: 'gatehouse_webhook_events_total',
      help: 'Provider events committed through the inbox, by outcome (applied, stale, unhandled, duplicate)',
      labelNames: ['outcome'] as const,
    }),
    webhookLag: new Histogram({
      ...on,
      name: 'gatehouse_webhook_apply_lag_seconds',
      help: 'From the provider creating an event to this instance committing it',
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 3600],
    }),
    reconcileRuns: new Counter({
      ...on,
      name: 'gatehouse_reconcile_runs_total',
      help: 'Reconciliation runs by outcome (completed, skipped: another instance held the lock, failed)',
      labelNames: ['outcome'] as const,
    }),
    reconcileDrift: new Counter({
      ...on,
      name: 'gatehouse_reconcile_drift_total',
      help: 'Mirror rows reconciliation repaired, by kind and change',
      labelNames: ['kind', 'change'] as const,
    }),
    reconcileLastSuccess: new Gauge({
      ...on,
      name: 'gatehouse_reconcile_last_success_timestamp_seconds',
      help: 'When a reconciliation run last completed on this instance (Unix seconds)',
    }),
    revocationEvents: new Counter({
      ...on,
      name: 'gatehouse_revocation_events_total',
      help: 'Revocation events received over LISTEN/NOTIFY, by kind',
      labelNames: ['kind'] as const,
    }),
    revocationResets: new Counter({
      ...on,
      name: 'gatehouse_revocation_bus_resets_total',
      help: 'Times the revocation channel came back after an outage and the credential cache was flushed',
    }),
    providerDuration: new Histogram({
      ...on,
      name: 'gatehouse_provider_request_duration_seconds',
      help: 'Calls to the identity provider (WorkOS) by endpoint template and status',
      labelNames: ['provider', 'method', 'endpoint', 'status'] as const,
      buckets: LATENCY_BUCKETS,
    }),
    providerErrors: new Counter({
      ...on,
      name: 'gatehouse_provider_errors_total',
      help: 'Provider calls that failed: network, timeout, rate_limited or server_error',
      labelNames: ['provider', 'endpoint', 'kind'] as const,
    }),
    retentionPruned: new Counter({
      ...on,
      name: 'gatehouse_retention_pruned_total',
      help: 'Rows removed by retention, by table',
      labelNames: ['table'] as const,
    }),
    retentionRuns: new Counter({
      ...on,
      name: 'gatehouse_retention_runs_total',
      help: 'Retention runs by outcome (completed, skipped: another instance held the lock, failed)',
      labelNames: ['outcome'] as const,
    }),
    /** Registers scrape-time sources; later calls add to (or replace) earlier ones. */
    addSources(more: MetricSources): void {
      Object.assign(sources, more);
    },
  };

  new Gauge({
    ...on,
    name: 'gatehouse_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    collect() {
      const stats = sources.pool?.();
      this.reset();
      if (stats) for (const [state, value] of Object.entries(stats)) this.set({ state }, value);
    },
  });
  new Gauge({
    ...on,
    name: 'gatehouse_revocation_bus_connected',
    help: '1 while the revocation LISTEN connection is up, 0 while it reconnects',
    collect() {
      if (sources.revocationBusConnected) this.set(sources.revocationBusConnected() ? 1 : 0);
    },
  });
  new Counter({
    ...on,
    name: 'gatehouse_webhook_deliveries_total',
    help: 'Webhook deliveries received, by result (received, rejected, failed, and the inbox outcomes)',
    labelNames: ['result'] as const,
    collect() {
      const stats = sources.webhookStats?.();
      this.reset();
      if (stats) for (const [result, value] of Object.entries(stats)) this.inc({ result }, value);
    },
  });
  new Gauge({
    ...on,
    name: 'gatehouse_webhook_apply_backlog',
    help: 'Verified deliveries whose inbox transaction has not committed yet on this instance',
    collect() {
      const s = sources.webhookStats?.();
      if (!s) return;
      // `queued` (durable acknowledgement) settled too: its inbox row committed.
      const settled = ['rejected', 'applied', 'stale', 'unhandled', 'duplicate', 'failed', 'queued'].reduce(
        (n, k) => n + (s[k] ?? 0),
        0,
      );
      this.set(Math.max(0, (s.received ?? 0) - settled));
    },
  });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
