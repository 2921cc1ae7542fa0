import { monitorEventLoopDelay } from 'node:perf_hooks';

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
