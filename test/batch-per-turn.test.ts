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

  it('refuses a transaction, which could commit before its batch ran', async () => {
    const { double } = recordingBatcher();
    await expect(opened.db.transaction().execute((trx) => double(trx, 1))).rejects.toThrow(
      'outside transactions',
    );
  });
});
