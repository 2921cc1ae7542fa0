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

/** What perf_hooks' delay histogram gives; a plain object in tests. */
export interface DelayHistogram {
  count: number;
  max: number;
  mean: number;
  percentile(percentile: number): number;
}

/**
 * The histogram records the time between two ticks of its sampling timer, which includes
 * the sampling interval itself: an idle loop sampled every 10 ms reads 10 ms. The delay
 * is what is left once the interval is taken off (as @fastify/under-pressure reads it);
 * the stall behind a reading lies between that delay and the delay plus the interval.
 */
export function delayFromHistogram(
  histogram: DelayHistogram,
  resolutionMs: number,
): EventLoopDelay {
  const delay = (ns: number) =>
    histogram.count === 0 ? 0 : Math.round(Math.max(0, ns / NS_PER_MS - resolutionMs) * 100) / 100;
  return {
    maxMs: delay(histogram.max),
    p99Ms: delay(histogram.percentile(99)),
    meanMs: delay(histogram.mean),
  };
}

/**
 * Samples the event loop's delay (perf_hooks' histogram, every `resolutionMs`); `read()`
 * is cheap enough for a metrics scrape or a shutdown log line.
 */
export function startEventLoopMonitor(resolutionMs = 10): EventLoopMonitor {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    read: () => delayFromHistogram(histogram, resolutionMs),
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
