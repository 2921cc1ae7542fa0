import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { findPostgresBin, type PostgresServer, startPostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL the tests may create databases on, or null. */
    postgresAdminUrl: string | null;
    /** Why there is no PostgreSQL, when there is none. */
    postgresMissing: string | null;
  }
}

const INSTALL_HINT = 'apt-get install postgresql';

async function checkReachable(url: string): Promise<void> {
  // pg reads anything else as a path relative to postgres://base and reports "ENOTFOUND
  // base"; say what was wrong instead (e.g. a tool's note captured along with the URL).
  if (!/^postgres(ql)?:\/\/\S+$/.test(url)) {
    const firstLine = url.split('\n', 1)[0] ?? '';
    throw new Error(`it is not one postgres:// URL (it begins "${firstLine.slice(0, 40)}")`);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select 1');
  } finally {
    await client.end();
  }
}

/**
 * Once per test run: TEST_DATABASE_URL when set (CI), else a PostgreSQL started from the
 * installed binaries. Under CI=true a missing PostgreSQL fails the run; elsewhere the
 * PostgreSQL tests skip, with one loud line saying what is missing.
 */
export default async function setup(project: TestProject) {
  let server: PostgresServer | undefined;
  let adminUrl: string | null = null;
  let missing: string | null = null;
  const configured = process.env.TEST_DATABASE_URL;
  try {
    if (configured) {
      await checkReachable(configured);
      adminUrl = configured;
    } else {
      const bin = findPostgresBin();
      if (!bin) {
        missing = `no PostgreSQL binaries under /usr/lib/postgresql/*/bin and TEST_DATABASE_URL is not set (${INSTALL_HINT})`;
      } else {
        server = startPostgresServer(bin);
        adminUrl = server.adminUrl;
      }
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    missing = configured
      ? `TEST_DATABASE_URL does not answer (${reason}); fix it, or unset it to start PostgreSQL from its binaries`
      : `could not start PostgreSQL from its binaries: ${reason}`;
  }
  if (missing) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL tests cannot run under CI=true: ${missing}`);
    }
    process.stderr.write(`\n!!! PostgreSQL tests are SKIPPED: ${missing}\n\n`);
  }
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresMissing', missing);
  return () => server?.stop();
}
