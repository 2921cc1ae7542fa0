import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

/**
 * Kysely's SqliteDialect expects better-sqlite3's shape; node:sqlite is close but takes
 * spread parameters and has no `reader` flag. This adapter is the whole difference, and
 * it keeps prepared statements in a small cache so hot queries are compiled once.
 */
const STATEMENT_CACHE_SIZE = 200;

function adaptStatement(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  const params = (parameters: ReadonlyArray<unknown>) => parameters as SQLInputValue[];
  return {
    reader,
    all: (parameters) => statement.all(...params(parameters)),
    run: (parameters) => statement.run(...params(parameters)),
    iterate: (parameters) => statement.iterate(...params(parameters)),
  };
}

export function openSqlite(location: string): { native: DatabaseSync; database: SqliteDatabase } {
  const native = new DatabaseSync(location, { timeout: 5000 });
  native.exec('PRAGMA journal_mode = WAL');
  native.exec('PRAGMA synchronous = NORMAL');
  native.exec('PRAGMA foreign_keys = ON');
  native.exec('PRAGMA busy_timeout = 5000');
  // Overwrite freed bytes in place: a sent mail's token must not linger in free space.
  native.exec('PRAGMA secure_delete = FAST');
  const cache = new Map<string, SqliteStatement>();
  const database: SqliteDatabase = {
    close: () => native.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        // Re-insert to keep the map in least-recently-used order.
        cache.delete(sql);
      } else {
        statement = adaptStatement(native.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(sql, statement);
      return statement;
    },
  };
  return { native, database };
}

export function createSqliteDialect(location: string): SqliteDialect {
  const { database } = openSqlite(location);
  return new SqliteDialect({ database });
}
