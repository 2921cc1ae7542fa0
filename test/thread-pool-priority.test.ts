import { describe, expect, it } from 'vitest';
import { lowerThreadPoolPriority, THREAD_POOL_NICE } from '../src/thread-pool-priority.ts';
import { threadNiceValues } from './support/process.ts';

describe.runIf(process.platform === 'linux')('the thread pool priority (Linux)', () => {
  it('lowers every libuv pool thread, and only those, never raising one back', async () => {
    const mainThread = () => threadNiceValues('self').find((thread) => thread.id === process.pid);
    const before = mainThread();
    const lowered = await lowerThreadPoolPriority();
    const after = threadNiceValues('self');
    const pool = after.filter((thread) => thread.name === 'libuv-worker');
    expect(pool.length).toBeGreaterThan(0);
    expect(lowered).toBe(pool.length);
    for (const thread of pool) expect(thread.nice).toBeGreaterThanOrEqual(THREAD_POOL_NICE);
    expect(before).toBeDefined();
    expect(mainThread()).toEqual(before);

    // A second call (or a lower target) leaves them where they are.
    expect(await lowerThreadPoolPriority(THREAD_POOL_NICE - 5)).toBe(pool.length);
    expect(threadNiceValues('self').filter((thread) => thread.name === 'libuv-worker')).toEqual(
      pool,
    );
  });
});
