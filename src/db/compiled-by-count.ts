import { type Compilable, type CompiledQuery, createQueryId, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

interface Template<R> {
  compiled: CompiledQuery<R>;
  /** For each parameter of the compiled statement, the key it stands for; else a constant. */
  slots: (number | undefined)[];
}

/**
 * A statement whose SQL depends only on how many keys it is given (`… IN (?, ?, …)`),
 * built and compiled by Kysely once per count and per database, then run with each call's
 * keys in the places of the placeholders it was compiled with. Building and compiling a
 * select with a join costs 8–20 µs; a lone verify request paid it in full, and batched
 * ones a share of it each. The SQL, and so SQLite's prepared statement, stay the same.
 *
 * `db`'s plugins see the statement when it is compiled, not on every run.
 */
export function compiledByCount<R>(
  build: (db: Db, keys: readonly string[]) => Compilable<R>,
  maxCachedCount = 64,
): (db: Db, keys: readonly string[]) => Promise<R[]> {
  const templates = new WeakMap<Db, Map<number, Template<R>>>();
  return async (db, keys) => {
    if (keys.length > maxCachedCount) return (await db.executeQuery(build(db, keys))).rows;
    let byCount = templates.get(db);
    if (!byCount) {
      byCount = new Map();
      templates.set(db, byCount);
    }
    let template = byCount.get(keys.length);
    if (!template) {
      template = compileTemplate(db, build, keys.length);
      byCount.set(keys.length, template);
    }
    const { compiled, slots } = template;
    const parameters = compiled.parameters.map((constant, index) => {
      const slot = slots[index];
      return slot === undefined ? constant : keys[slot];
    });
    return (await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() })).rows;
  };
}

function compileTemplate<R>(
  db: Db,
  build: (db: Db, keys: readonly string[]) => Compilable<R>,
  count: number,
): Template<R> {
  // Strings no constant of a statement holds: each marks where its key goes.
  const placeholders = Array.from({ length: count }, (_, index) => `\u0000key ${index}\u0000`);
  const slotOf = new Map(placeholders.map((placeholder, index) => [placeholder, index]));
  const compiled = build(db, placeholders).compile();
  const slots = compiled.parameters.map((parameter) =>
    typeof parameter === 'string' ? slotOf.get(parameter) : undefined,
  );
  if (new Set(slots.filter((slot) => slot !== undefined)).size !== count) {
    throw new Error('compiledByCount: every key must be a parameter of the statement');
  }
  return { compiled, slots };
}
