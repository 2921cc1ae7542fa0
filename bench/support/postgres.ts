import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { createDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import {
  databaseUrlOn,
  findPostgresBin,
  type PostgresServer,
  runAsAdmin,
  startPostgresServer,
} from '../../test/support/postgres-server.ts';
import { cpuSeconds } from './server.ts';

/** What the seed writes: the users and their reset tokens (see seed.ts). */
const SEEDED_TABLES = ['users', 'password_reset_tokens'] as const;
const TEMPLATE = 'rekey_bench_template';

/**
 * A PostgreSQL of the bench's own (Debian's binaries, a temp directory, a Unix socket), with
 * a template database holding the very rows of the seeded SQLite file, so Rekey on it and the
 * floor on SQLite answer the same tokens. Each run gets a copy (`CREATE DATABASE … TEMPLATE`),
 * as each SQLite run gets a copy of the file.
 */
export interface BenchPostgres {
  /** A fresh copy of the template; its DATABASE_URL. */
  copy(name: string): Promise<string>;
  drop(name: string): Promise<void>;
  /** CPU time the server has used so far: the postmaster and every backend now running. */
  cpuSeconds(): number;
  stop(): void;
}

export async function startBenchPostgres(seededSqlite: string): Promise<BenchPostgres> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      "bench: --database postgres needs PostgreSQL's server binaries (apt-get install postgresql)",
    );
  }
  const server = startPostgresServer(bin, { durable: true });
  try {
    await admin(server, `CREATE DATABASE ${TEMPLATE}`);
    await copySeed(`sqlite:${seededSqlite}`, databaseUrl(server, TEMPLATE));
  } catch (error) {
    server.stop();
    throw error;
  }
  return {
    async copy(name) {
      await admin(server, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      return databaseUrl(server, name);
    },
    drop: (name) => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    cpuSeconds: () => treeCpuSeconds(server.pid()),
    stop: () => server.stop(),
  };
}

const databaseUrl = (server: PostgresServer, name: string) => databaseUrlOn(server.adminUrl, name);
const admin = (server: PostgresServer, statement: string) => runAsAdmin(server.adminUrl, statement);

/** Migrates `to` and copies the seeded tables into it row for row (the types are the same). */
async function copySeed(from: string, to: string): Promise<void> {
  const source = createDatabase(from);
  const target = createDatabase(to);
  try {
    await migrateToLatest(target.db);
    for (const table of SEEDED_TABLES) {
      const rows = await source.db.selectFrom(table).selectAll().execute();
      for (let start = 0; start < rows.length; start += 500) {
        await target.db
          .insertInto(table)
          .values(rows.slice(start, start + 500))
          .execute();
      }
    }
    // Planner statistics now, not whenever autovacuum comes by; copies of the template keep them.
    await sql`ANALYZE`.execute(target.db);
  } finally {
    await source.close();
    await target.close();
  }
}

/** A process and its children, recursively (Linux: /proc/<pid>/task/<pid>/children). */
function treeCpuSeconds(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return 0; // gone meanwhile
  }
  return (cpuSeconds(pid) || 0) + children.reduce((sum, child) => sum + treeCpuSeconds(child), 0);
}
