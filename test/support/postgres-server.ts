import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throw-away PostgreSQL for one test run, started from the Debian binaries in a temp
 * directory. It listens on a Unix socket in that directory only (no TCP port to collide
 * with), trusts local connections, and skips fsync: it holds nothing worth keeping.
 * initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
 */
export interface PostgresServer {
  /** Superuser URL of the `postgres` database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** The postmaster's process id (its backends are its children). */
  pid(): number;
  stop(): void;
}

export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function asPostgresUser(command: string, args: string[]): [string, string[]] {
  const root = process.getuid?.() === 0;
  return root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[]): void {
  const [file, argv] = asPostgresUser(command, args);
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`;
    throw new Error(`${command} ${args[0] ?? ''} failed: ${output.trim()}`);
  }
}

/**
 * `durable: true` (the benches) keeps fsync and full-page writes on, as a production server
 * has them; commits still return before their WAL reaches the disk (synchronous_commit=off),
 * like SQLite's synchronous=NORMAL that Rekey runs: a crash loses the last commits, never
 * the database.
 */
export function startPostgresServer(
  bin: string,
  options: { durable?: boolean } = {},
): PostgresServer {
  const directory = mkdtempSync(join(tmpdir(), 'rekey-pg-'));
  const data = join(directory, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(directory, uid, gid);
  }
  chmodSync(directory, 0o700);
  run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const settings = [
    `-k ${directory}`,
    "-c listen_addresses=''",
    ...(options.durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
    '-c synchronous_commit=off',
    '-c max_connections=300',
  ].join(' ');
  run(join(bin, 'pg_ctl'), [
    'start',
    '-D',
    data,
    '-w',
    '-t',
    '60',
    '-l',
    join(directory, 'postgres.log'),
    '-o',
    settings,
  ]);
  return {
    adminUrl: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(directory)}`,
    pid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

/** Runs one statement (CREATE/DROP DATABASE) on a fresh connection to `adminUrl`. */
export async function runAsAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server `adminUrl` names. */
export function databaseUrlOn(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
