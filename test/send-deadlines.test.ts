import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSendDeadlines } from '../src/mail/send-deadlines.ts';

// Fake timers and a fake Date.now: the timer's firing is driven by the test, not by time.
describe('the deadlines of one pass of sends', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const deadlines = () => createSendDeadlines(() => Date.now());

  it('aborts the send in flight at its deadline, with the reason given', () => {
    const pass = deadlines();
    const signal = pass.begin(1000, 'the lease ends');
    vi.advanceTimersByTime(999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('the lease ends');
    pass.dispose();
  });

  it('never aborts a send that has ended, and arms one timer for a pass of fast sends', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const pass = deadlines();
    const signals: AbortSignal[] = [];
    for (let i = 0; i < 20; i += 1) {
      signals.push(pass.begin(30_000, 'timeout'));
      vi.advanceTimersByTime(5);
      pass.end();
    }
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(signals.some((signal) => signal.aborted)).toBe(false);
    pass.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds a later send to its own, later deadline when the first timer fires', () => {
    const pass = deadlines();
    pass.begin(30_000, 'timeout');
    pass.end();
    vi.advanceTimersByTime(29_000);
    const signal = pass.begin(30_000, 'timeout');
    vi.advanceTimersByTime(1000); // the timer armed for the first send fires here
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(28_999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    pass.dispose();
  });

  it('moves the timer for a send whose deadline comes before the one armed', () => {
    const pass = deadlines();
    pass.begin(30_000, 'timeout');
    pass.end();
    const signal = pass.begin(500, 'the lease ends');
    vi.advanceTimersByTime(500);
    expect(signal.aborted).toBe(true);
    pass.dispose();
  });

  it('gives the send after an aborted one a signal of its own', () => {
    const pass = deadlines();
    const first = pass.begin(100, 'timeout');
    vi.advanceTimersByTime(100);
    pass.end();
    const second = pass.begin(100, 'timeout');
    expect(first.aborted).toBe(true);
    expect(second.aborted).toBe(false);
    pass.end();
    vi.advanceTimersByTime(1000);
    expect(second.aborted).toBe(false);
    pass.dispose();
  });
});
