import { describe, expect, it } from 'vitest';
import { delayFromHistogram, startEventLoopMonitor } from '../src/observability/event-loop.ts';
import { waitFor } from './support/wait.ts';

function blockFor(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // block the loop on purpose
  }
}

describe('event-loop monitor', () => {
  it('reports a blocked event loop in its max', async () => {
    const monitor = startEventLoopMonitor(1);
    // The histogram measures between its own timer ticks, so a block before the first tick
    // is not seen: block on every poll until one lands between two ticks.
    const reading = await waitFor(() => {
      blockFor(30);
      const value = monitor.read();
      // A 30 ms block forced on purpose: a lower bound, not a performance threshold.
      return value.maxMs >= 15 && value;
    });
    monitor.stop();
    expect(reading.maxMs).toBeGreaterThanOrEqual(reading.p99Ms);
    expect(reading.p99Ms).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(reading.meanMs)).toBe(true);
  });

  it('takes the sampling interval off: an idle loop sampled every 10 ms reads 0, not 10', () => {
    const ms = 1e6;
    const idle = { count: 50, max: 10.4 * ms, mean: 10.1 * ms, percentile: () => 10.2 * ms };
    expect(delayFromHistogram(idle, 10)).toEqual({ maxMs: 0.4, p99Ms: 0.2, meanMs: 0.1 });
    const stalled = { count: 50, max: 43 * ms, mean: 10.5 * ms, percentile: () => 9.9 * ms };
    expect(delayFromHistogram(stalled, 10)).toEqual({ maxMs: 33, p99Ms: 0, meanMs: 0.5 });
  });

  it('reads 0 before its first sample, when the histogram is empty', () => {
    const empty = { count: 0, max: 0, mean: Number.NaN, percentile: () => 0 };
    expect(delayFromHistogram(empty, 10)).toEqual({ maxMs: 0, p99Ms: 0, meanMs: 0 });
  });
});
