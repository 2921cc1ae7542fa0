import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/**
 * Batches of one statement running at once, per database. On PostgreSQL each batch waits
 * for a round trip; while two are out, new calls gather into the next one instead of taking
 * a third connection from the pool, which other statements share (README, item 32: measured
 * a little faster, not for the reason first thought). On SQLite a batch's statement runs
 * synchronously and is done before the next turn, so its batches never wait here.
 */
const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * Calls made during one turn of the event loop, run together at its end as one batch: one
 * statement serves many requests, and their replies leave together. On this project's
 * benchmarks that halved the CPU of a request, most of it in the socket writes: replies
 * written one at a time each woke the client, replies written together did not.
 *
 * `run` gets the keys in call order and returns one result per key, in the same order; if
 * it throws, every call in the batch fails with that error. Only for the database itself:
 * a transaction could commit before its batch ran.
 */
export function batchPerTurn<K, V>(
  run: (db: Db, keys: readonly K[]) => Promise<readonly V[]>,
  maxBatchSize: number,
): (db: Db, key: K) => Promise<V> {
  const loaders = new WeakMap<Db, DataLoader<K, V>>();
  return (db, key) => {
    if (db.isTransaction) throw new Error('batchPerTurn runs outside transactions only');
    let loader = loaders.get(db);
    if (!loader) {
      let slots = MAX_BATCHES_IN_FLIGHT;
      const waiting: (() => void)[] = [];
      loader = new DataLoader<K, V>(
        async (keys) => {
          try {
            return await run(db, keys);
          } finally {
            const next = waiting.shift();
            if (next) setImmediate(next);
            else slots += 1;
          }
        },
        {
          cache: false,
          maxBatchSize,
          batchScheduleFn: (callback) => {
            if (slots > 0) {
              slots -= 1;
              setImmediate(callback);
            } else {
              waiting.push(callback);
            }
          },
        },
      );
      loaders.set(db, loader);
    }
    return loader.load(key);
  };
}
