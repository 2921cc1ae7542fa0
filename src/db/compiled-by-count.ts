import { type Compilable, type CompiledQuery, createQueryId, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/** How one key of a statement becomes its parameters: `fields` values each. */
export interface KeyShape<K> {
  fields: number;
  /** The key whose fields are these marks, for compiling. */
  placeholder(marks: readonly string[]): K;
  field(key: K, index: number): unknown;
  /** Throws if a key does not fit the shape; run on every key of every call. */
  check?(key: K): void;
}

/** Each key is one parameter: `… in (?, ?, …)`. */
export const stringKeys: KeyShape<string> = {
  fields: 1,
  placeholder: ([mark]) => mark as string,
  field: (key) => key,
};

/** Each key is a row of a multi-row insert, with a value for every one of `columns`. */
export function rowsOf<Row>(columns: readonly (keyof Row & string)[]): KeyShape<Row> {
  return {
    fields: columns.length,
    placeholder: (marks) =>
      Object.fromEntries(columns.map((column, index) => [column, marks[index]])) as Row,
    field: (row, index) => row[columns[index] as keyof Row],
    // A column the list lacks would be left out of the compiled insert, its value dropped.
    check: (row) => {
      if (
        Object.keys(row as object).length !== columns.length ||
        !columns.every((column) => Object.hasOwn(row as object, column))
      ) {
        const own = Object.keys(row as object);
        throw new Error(
          `rowsOf: a row has the columns ${own.join(', ')}, not ${columns.join(', ')}`,
        );
      }
    },
  };
}

interface Slot {
  key: number;
  field: number;
}

interface Template<R> {
  compiled: CompiledQuery<R>;
  /** For each parameter of the compiled statement, the key field it stands for; else a constant. */
  slots: (Slot | undefined)[];
}

/**
 * A statement whose SQL depends only on how many keys it is given (`… in (?, ?, …)`, or
 * the rows of an insert), built and compiled by Kysely once per count and per database,
 * then run with each call's keys in the places of the placeholders it was compiled with.
 * Building and compiling a select with a join costs 8–20 µs; a lone verify request paid
 * it in full, and batched ones a share of it each. The SQL, and so SQLite's prepared
 * statement, stay the same.
 *
 * `db`'s plugins see the statement when it is compiled, not on every run.
 */
export function compiledByCount<K, R>(
  build: (db: Db, keys: readonly K[]) => Compilable<R>,
  shape: KeyShape<K>,
  maxCachedCount = 64,
): (db: Db, keys: readonly K[]) => Promise<R[]> {
  const templates = new WeakMap<Db, Map<number, Template<R>>>();
  return async (db, keys) => {
    if (shape.check) for (const key of keys) shape.check(key);
    if (keys.length > maxCachedCount) return (await db.executeQuery(build(db, keys))).rows;
    let byCount = templates.get(db);
    if (!byCount) {
      byCount = new Map();
      templates.set(db, byCount);
    }
    let template = byCount.get(keys.length);
    if (!template) {
      template = compileTemplate(db, build, shape, keys.length);
      byCount.set(keys.length, template);
    }
    const { compiled, slots } = template;
    const parameters = compiled.parameters.map((constant, index) => {
      const slot = slots[index];
      return slot === undefined ? constant : shape.field(keys[slot.key] as K, slot.field);
    });
    return (await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() })).rows;
  };
}

function compileTemplate<K, R>(
  db: Db,
  build: (db: Db, keys: readonly K[]) => Compilable<R>,
  shape: KeyShape<K>,
  count: number,
): Template<R> {
  // Strings no constant of a statement holds: each marks where one field of one key goes.
  const slotOf = new Map<string, Slot>();
  const placeholders = Array.from({ length: count }, (_, key) => {
    const marks = Array.from({ length: shape.fields }, (_, field) => {
      const mark = `\u0000key ${key}.${field}\u0000`;
      slotOf.set(mark, { key, field });
      return mark;
    });
    return shape.placeholder(marks);
  });
  const compiled = build(db, placeholders).compile();
  const slots = compiled.parameters.map((parameter) =>
    typeof parameter === 'string' ? slotOf.get(parameter) : undefined,
  );
  if (new Set(slots.filter((slot) => slot !== undefined)).size !== count * shape.fields) {
    throw new Error('compiledByCount: every key must be a parameter of the statement');
  }
  return { compiled, slots };
}
