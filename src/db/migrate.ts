import { type Kysely, type Migration, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-24-01-initial.ts';
import * as operations from './migrations/2026-11-24-04-operations.ts';
import * as sharedLimits from './migrations/2026-11-24-05-shared-limits.ts';
import type { Database } from './schema.ts';

/** Listed here rather than read from disk, so the same list runs from src/ and dist/. */
const migrations: Record<string, Migration> = {
  '2026-11-24-01-initial': initial,
  '2026-11-24-04-operations': operations,
  '2026-11-24-05-shared-limits': sharedLimits,
};

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
