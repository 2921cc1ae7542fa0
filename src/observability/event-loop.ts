import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge } from 'prom-client';
import type { MetricsModule } from './metrics.ts';

export interface EventLoopDelay {
  /** The longest the event loop was blocked since the monitor started, in ms. */
  maxMs: number;
  p99Ms: number;
  meanMs: number;
}

export interface EventLoopMonitor {
  read(): EventLoopDelay;
  stop(): void;
}

const NS_PER_MS = 1e6;
const round = (ns: number) => Math.round((ns / NS_PER_MS) * 100) / 100;

/**
 * Samples the event loop's delay (perf_hooks' histogram, every `resolutionMs`); `read()`
 * is cheap enough for a metrics scrape or a shutdown log line.
 */
export function startEventLoopMonitor(resolutionMs = 10): EventLoopMonitor {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    read: () => ({
      maxMs: round(histogram.max),
      p99Ms: round(histogram.percentile(99)),
      meanMs: round(histogram.mean),
    }),
    stop: () => histogram.disable(),
  };
}

/** The monitor as Prometheus gauges, read at scrape time. */
export function eventLoopDelayGauges(monitor: EventLoopMonitor): MetricsModule {
  return (registry) => {
    const gauge = (name: string, help: string, pick: (delay: EventLoopDelay) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(pick(monitor.read()) / 1000);
        },
      });
    gauge(
      'rekey_event_loop_delay_max_seconds',
      'Longest event-loop stall since the process started',
      (d) => d.maxMs,
    );
    gauge('rekey_event_loop_delay_p99_seconds', '99th percentile event-loop delay', (d) => d.p99Ms);
  };
}
