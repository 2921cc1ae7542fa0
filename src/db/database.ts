import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

// int8 (bigint) columns hold millisecond times, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` → a Kysely instance. */
export function createDatabase(url: string, options: { poolSize?: number } = {}): Db {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle connection the server closes (restart, failover, admin kill) is an 'error'
    // event on the pool; unhandled, it would crash the process. The pool drops that
    // client and the next query opens a new one, so there is nothing else to do.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const location = url.slice('sqlite:'.length);
  if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
  const db = new Kysely<Database>({ dialect: createSqliteDialect(location) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Readiness: the database answers a trivial query. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
