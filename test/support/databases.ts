/**
 * The databases the integration suite runs on. To run a block on every one of them:
 *
 *   describeEachDatabase('the guide flow', (target) => {
 *     let t: TestService;
 *     let database: TestDatabase;
 *     beforeEach(async () => {
 *       database = await target.create();
 *       t = await startTestService({}, { databaseUrl: database.url });
 *     });
 *     afterEach(async () => {
 *       await t.close();
 *       await database.drop();
 *     });
 *     it('…', async () => { … });
 *   });
 *
 * `create()` gives a new empty database each time: for SQLite `url` is undefined (the
 * test service makes its own temp file); for PostgreSQL it is a fresh `rekey_<random>`
 * database on the server from global-setup.ts. Without a PostgreSQL the postgres block
 * is skipped (a loud line says why), except under CI=true, where the run fails instead.
 */
import { describe } from 'vitest';
import { createPostgresDatabase, postgresAvailable } from './postgres.ts';

export interface TestDatabase {
  /** DATABASE_URL for startTestService's `databaseUrl`; undefined = its own SQLite file. */
  url: string | undefined;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

export const sqliteTarget: DatabaseTarget = {
  name: 'sqlite',
  create: async () => ({ url: undefined, drop: async () => {} }),
};

export const postgresTarget: DatabaseTarget = {
  name: 'postgres',
  create: createPostgresDatabase,
};

export const databaseTargets: DatabaseTarget[] = [sqliteTarget, postgresTarget];

/** `describe(title + ' (sqlite|postgres)')` once per target. */
export function describeEachDatabase(title: string, body: (target: DatabaseTarget) => void): void {
  for (const target of databaseTargets) {
    const skip = target.name === 'postgres' && !postgresAvailable();
    (skip ? describe.skip : describe)(`${title} (${target.name})`, () => body(target));
  }
}

/** For PostgreSQL-only tests (several processes on one database). */
export function describePostgres(title: string, body: () => void): void {
  (postgresAvailable() ? describe : describe.skip)(`${title} (postgres)`, body);
}
