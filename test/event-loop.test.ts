import { describe, expect, it } from 'vitest';
import { startEventLoopMonitor } from '../src/observability/event-loop.ts';
import { waitFor } from './support/wait.ts';

describe('event-loop monitor', () => {
  it('reports a blocked event loop in its max', async () => {
    const monitor = startEventLoopMonitor(1);
    const blockedUntil = Date.now() + 30;
    while (Date.now() < blockedUntil) {
      // block the loop on purpose
    }
    const reading = await waitFor(() => {
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
