import { describe, expect, it } from 'vitest';
import { lowerThreadPoolPriority } from '../src/thread-pool-priority.ts';
import { threadNiceValues } from './support/process.ts';

const THREAD_POOL_NICE = 10;

describe.runIf(process.platform === 'linux')('the thread pool priority (Linux)', () => {
  it('leaves the pool alone with 0 (THREAD_POOL_NICE=0)', async () => {
    const before = threadNiceValues('self').filter((thread) => thread.name === 'libuv-worker');
    expect(await lowerThreadPoolPriority(0)).toBe(0);
    expect(threadNiceValues('self').filter((thread) => thread.name === 'libuv-worker')).toEqual(
      before,
    );
  });

  it('lowers every libuv pool thread, and only those, never raising one back', async () => {
    const mainThread = () => threadNiceValues('self').find((thread) => thread.id === process.pid);
    const before = mainThread();
    const lowered = await lowerThreadPoolPriority(THREAD_POOL_NICE);
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
