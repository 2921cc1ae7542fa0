import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { TestService } from './service.ts';

/**
 * Everything the database holds, as text, to search for secrets: on SQLite the file
 * itself (free pages included, after folding the WAL in); on PostgreSQL every row of
 * every table.
 */
export async function storedText(t: TestService): Promise<string> {
  const { db, dialect } = t.service.database;
  if (dialect === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    return readFileSync(t.config.databaseUrl.slice('sqlite:'.length)).toString('latin1');
  }
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
  const dumps = await Promise.all(
    tables.rows.map(async ({ table_name }) => {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(db);
      return JSON.stringify(rows.rows);
    }),
  );
  return dumps.join('\n');
}
