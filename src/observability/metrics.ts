import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics, one registry per app instance (never prom-client's global one), so a
 * test can build many apps in one process. Label values are bounded: route *patterns*,
 * status codes, mail kinds, outcomes; never a URL, an address or a token.
 */
export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  resetsRequested: Counter;
  resetsVerified: Counter<'outcome'>;
  resetsCompleted: Counter;
  mailsQueued: Counter<'kind'>;
  mailsSent: Counter<'kind'>;
  mailsFailed: Counter<'kind'>;
  rateLimitHits: Counter<'route'>;
  killSwitchUsed: Counter;
}

export interface OutboxStats {
  pending: number;
  /** Seconds since the oldest pending message was queued; 0 when none is pending. */
  oldestPendingAgeSeconds: number;
}

/** A module that adds its own collectors to the app's registry. */
export type MetricsModule = (registry: Registry) => void;

export interface MetricsOptions {
  /** Read from the database at scrape time, so every process reports the shared outbox. */
  outboxStats?: () => Promise<OutboxStats>;
  /**
   * Further collectors, each given the registry. The event-loop-delay gauge
   * (src/observability/event-loop.ts) is registered here by createService.
   */
  modules?: MetricsModule[];
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const { outboxStats } = options;
  if (outboxStats) {
    // prom-client collects every metric at once: the two gauges share one query per scrape.
    let inFlight: Promise<OutboxStats> | undefined;
    const stats = () => {
      inFlight ??= outboxStats().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    };
    new Gauge({
      name: 'rekey_outbox_depth',
      help: 'Mails waiting in the outbox (status pending)',
      registers,
      async collect() {
        this.set((await stats()).pending);
      },
    });
    new Gauge({
      name: 'rekey_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest pending outbox message, 0 when none',
      registers,
      async collect() {
        this.set((await stats()).oldestPendingAgeSeconds);
      },
    });
  }
  const metrics: Metrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: 'rekey_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    resetsRequested: new Counter({
      name: 'rekey_resets_requested_total',
      help: 'Well-formed forgot-password requests (existing account or not)',
      registers,
    }),
    resetsVerified: new Counter({
      name: 'rekey_resets_verified_total',
      help: 'Reset token verifications by outcome (valid, invalid, expired)',
      labelNames: ['outcome'],
      registers,
    }),
    resetsCompleted: new Counter({
      name: 'rekey_resets_completed_total',
      help: 'Passwords changed with a reset token',
      registers,
    }),
    mailsQueued: new Counter({
      name: 'rekey_emails_queued_total',
      help: 'Mails written to the outbox, by kind',
      labelNames: ['kind'],
      registers,
    }),
    mailsSent: new Counter({
      name: 'rekey_emails_sent_total',
      help: 'Mails accepted by the transport, by kind',
      labelNames: ['kind'],
      registers,
    }),
    mailsFailed: new Counter({
      name: 'rekey_emails_failed_total',
      help: 'Mails given up on after their retries, by kind',
      labelNames: ['kind'],
      registers,
    }),
    rateLimitHits: new Counter({
      name: 'rekey_rate_limit_hits_total',
      help: 'Requests refused with 429, by route pattern',
      labelNames: ['route'],
      registers,
    }),
    killSwitchUsed: new Counter({
      name: 'rekey_kill_switch_used_total',
      help: '"This wasn\'t me" links used',
      registers,
    }),
  };
  for (const module of options.modules ?? []) module(registry);
  return metrics;
}
