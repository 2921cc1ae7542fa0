import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchPerTurn } from '../src/db/batch-per-turn.ts';
import { createDatabase, type Db } from '../src/db/database.ts';

/** Each batch as `run` received it; `run` answers every key with its double. */
function recordingBatcher(maxBatchSize = 100, fail = (_keys: readonly number[]) => false) {
  const batches: number[][] = [];
  const double = batchPerTurn(async (_db, keys: readonly number[]) => {
    batches.push([...keys]);
    if (fail(keys)) throw new Error('injected batch failure');
    return keys.map((key) => key * 2);
  }, maxBatchSize);
  return { double, batches };
}

/** Until `run` has been called `count` times, a turn at a time (bounded). */
async function waitForBatches(batches: unknown[], count: number): Promise<void> {
  for (let turn = 0; batches.length < count; turn++) {
    if (turn > 100) throw new Error(`${batches.length} batches ran, not ${count}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('batchPerTurn', () => {
  let opened: Db;
  beforeEach(() => {
    opened = createDatabase('sqlite::memory:');
  });
  afterEach(() => opened.close());

  it('runs the calls of one turn as one batch, each getting its own result in call order', async () => {
    const { double, batches } = recordingBatcher();
    const results = await Promise.all([3, 1, 2, 1].map((key) => double(opened.db, key)));
    expect(results).toEqual([6, 2, 4, 2]);
    expect(batches).toEqual([[3, 1, 2, 1]]);
  });

  it('starts a new batch for calls made after the last one ran', async () => {
    const { double, batches } = recordingBatcher();
    expect(await double(opened.db, 1)).toBe(2);
    expect(await double(opened.db, 2)).toBe(4);
    expect(batches).toEqual([[1], [2]]);
  });

  it('splits a turn at the largest batch', async () => {
    const { double, batches } = recordingBatcher(2);
    await Promise.all([1, 2, 3, 4, 5].map((key) => double(opened.db, key)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails every call of a failed batch, and the next batch still runs', async () => {
    const { double } = recordingBatcher(100, (keys) => keys.includes(13));
    const failed = await Promise.allSettled([1, 13].map((key) => double(opened.db, key)));
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await double(opened.db, 4)).toBe(8);
  });

  it('keeps the batches of two databases apart', async () => {
    const other = createDatabase('sqlite::memory:');
    try {
      const { double, batches } = recordingBatcher();
      await Promise.all([double(opened.db, 1), double(other.db, 2), double(opened.db, 3)]);
      expect(batches).toEqual([[1, 3], [2]]);
    } finally {
      await other.close();
    }
  });

  it('runs two batches at once at most: calls made meanwhile gather into the next one', async () => {
    const batches: number[][] = [];
    const releases: (() => void)[] = [];
    const held = batchPerTurn(async (_db, keys: readonly number[]) => {
      batches.push([...keys]);
      await new Promise<void>((resolve) => releases.push(resolve));
      return keys.map((key) => key * 2);
    }, 100);
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const first = held(opened.db, 1);
    await nextTurn();
    const second = held(opened.db, 2);
    await nextTurn();
    // Two are out: these three, made in three turns, wait together.
    const waiting = [held(opened.db, 3)];
    await nextTurn();
    waiting.push(held(opened.db, 4));
    await nextTurn();
    waiting.push(held(opened.db, 5));
    await nextTurn();
    expect(batches).toEqual([[1], [2]]);
    releases[0]?.();
    expect(await first).toBe(2);
    await waitForBatches(batches, 3);
    expect(batches[2]).toEqual([3, 4, 5]);
    releases[1]?.();
    releases[2]?.();
    expect(await second).toBe(4);
    expect(await Promise.all(waiting)).toEqual([6, 8, 10]);
    // The slots are back: a new call runs at once.
    const later = held(opened.db, 6);
    await waitForBatches(batches, 4);
    releases[3]?.();
    expect(await later).toBe(12);
  });

  it('refuses a transaction, which could commit before its batch ran', async () => {
    const { double } = recordingBatcher();
    await expect(opened.db.transaction().execute((trx) => double(trx, 1))).rejects.toThrow(
      'outside transactions',
    );
  });
});
