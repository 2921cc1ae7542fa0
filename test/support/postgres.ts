import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { inject } from 'vitest';
import type { Database } from '../../src/db/schema.ts';
import { databaseUrlOn, runAsAdmin } from './postgres-server.ts';
import { waitFor } from './wait.ts';

/**
 * A fresh, empty PostgreSQL database per test, on the server the global setup found or
 * started (see global-setup.ts). `drop()` removes it, closing whatever still holds it.
 */
export interface PostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

export function postgresAvailable(): boolean {
  return inject('postgresAdminUrl') !== null;
}

export function postgresMissingReason(): string {
  return inject('postgresMissing') ?? 'PostgreSQL is not available';
}

function adminUrl(): string {
  const url = inject('postgresAdminUrl');
  if (!url) throw new Error(`PostgreSQL tests cannot run: ${postgresMissingReason()}`);
  return url;
}

const asAdmin = (statement: string) => runAsAdmin(adminUrl(), statement);

export async function createPostgresDatabase(): Promise<PostgresDatabase> {
  const name = `rekey_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  return {
    url: databaseUrlOn(adminUrl(), name),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Until `release()`, `released` stays pending: for a transaction that holds a lock until told. */
export function gate(): { released: Promise<void>; release: () => void } {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release };
}

/** Waits until some session on this database waits for a lock (pg_stat_activity). */
export async function waitForLockWait(db: Kysely<Database>, what: string): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
      return (rows[0]?.waiting ?? 0) > 0;
    },
    { what },
  );
}
