import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { describePostgres } from './support/databases.ts';
import { createPostgresDatabase, type PostgresDatabase } from './support/postgres.ts';

describePostgres('migrating at start', () => {
  let database: PostgresDatabase;
  beforeEach(async () => {
    database = await createPostgresDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('applies each migration once when several processes start at the same moment', async () => {
    // Separate pools = separate sessions, as separate processes would have.
    const instances = Array.from({ length: 4 }, () => createDatabase(database.url));
    try {
      const applied = await Promise.all(instances.map(({ db }) => migrateToLatest(db)));
      const all = applied.flat();
      expect(all).toEqual([...new Set(all)]);
      expect(all).toContain('2026-11-24-05-shared-limits');
      const [first] = instances;
      if (!first) throw new Error('no instance');
      const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(
        first.db,
      );
      expect(rows.map((row) => row.name).sort()).toEqual([...all].sort());
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });
});
