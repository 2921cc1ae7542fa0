import { describe, expect, it } from 'vitest';
import { startEventLoopMonitor } from '../src/observability/event-loop.ts';
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
});
