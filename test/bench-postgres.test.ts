import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchPostgres, startBenchPostgres } from '../bench/support/postgres.ts';
import { BENCH_PASSWORD, type Seeded, seedDatabase } from '../bench/support/seed.ts';
import { freePort, ROOT, spawnServer } from '../bench/support/server.ts';
import { createDatabase } from '../src/db/database.ts';
import { createTestClock } from './support/clock.ts';
import { findPostgresBin } from './support/postgres-server.ts';
import { postJson } from './support/processes.ts';
import { startTestService } from './support/service.ts';

// `npm run bench -- --database postgres` starts a PostgreSQL of its own from the binaries.
const bin = findPostgresBin();
if (!bin) {
  const missing =
    'no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)';
  if (process.env.CI === 'true') throw new Error(`the bench's PostgreSQL cannot start: ${missing}`);
  process.stderr.write(`\n!!! the bench's PostgreSQL tests are SKIPPED: ${missing}\n\n`);
}

(bin ? describe : describe.skip)("the bench's PostgreSQL (--database postgres)", () => {
  let directory: string;
  let sqlitePath: string;
  let seeded: Seeded;
  let postgres: BenchPostgres;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'rekey-bench-pg-test-'));
    sqlitePath = join(directory, 'template.db');
    seeded = await seedDatabase(sqlitePath, 6);
    postgres = await startBenchPostgres(sqlitePath);
  });

  afterAll(() => {
    postgres?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('copies the seeded rows as they are, so the floor on SQLite and Rekey answer the same tokens', async () => {
    const url = await postgres.copy('rekey_bench_rows');
    const source = createDatabase(`sqlite:${sqlitePath}`);
    const copy = createDatabase(url);
    try {
      for (const table of ['users', 'password_reset_tokens'] as const) {
        const read = async (db: typeof source.db) =>
          (await db.selectFrom(table).selectAll().execute())
            .map((row) => JSON.stringify(row))
            .sort();
        const rows = await read(copy.db);
        expect(rows).toHaveLength(6);
        expect(rows).toEqual(await read(source.db));
      }
    } finally {
      await source.close();
      await copy.close();
      await postgres.drop('rekey_bench_rows');
    }
  });

  it('gives each run a copy of its own: what one run spends, the next still has', async () => {
    const [token] = seeded.tokens;
    for (const round of [1, 2]) {
      const url = await postgres.copy('rekey_bench_run');
      const t = await startTestService(
        {},
        { databaseUrl: url, clock: createTestClock(Date.now()) },
      );
      try {
        const password = 'another lantern 77';
        const reset = await t.post('/auth/reset-password/', {
          token,
          new_password: password,
          confirm_password: password,
        });
        expect(reset.statusCode, `round ${round}`).toBe(200);
        expect((await t.post('/auth/verify-reset-token/', { token })).statusCode).toBe(400);
      } finally {
        await t.close();
        await postgres.drop('rekey_bench_run');
      }
    }
  });

  it('runs the floor on PostgreSQL: the same answers as on SQLite, and its insert lands', async () => {
    const [token] = seeded.tokens;
    const [email] = seeded.emails;
    const sqliteCopy = join(directory, 'floor.db');
    copyFileSync(sqlitePath, sqliteCopy);
    const url = await postgres.copy('rekey_bench_floor');
    const floors = {
      sqlite: { DATABASE_PATH: sqliteCopy },
      postgres: { DATABASE_URL: url },
    };
    const answers: Record<string, unknown[]> = {};
    try {
      for (const [name, env] of Object.entries(floors)) {
        const floor = await spawnServer({
          script: join(ROOT, 'bench', 'floor-server.ts'),
          port: await freePort(),
          env,
        });
        const post = async (path: string, body: object) => {
          const response = await postJson({ baseUrl: floor.url }, `/auth/${path}/`, body);
          return [response.status, response.body];
        };
        try {
          answers[name] = [
            await post('verify-reset-token', { token }),
            await post('verify-reset-token', { token: 'not-a-token' }),
            await post('forgot-password', { email: 'Someone@Example.com' }),
            await post('login', { email, password: BENCH_PASSWORD }),
            await post('login', { email, password: 'wrong' }),
          ];
        } finally {
          await floor.stop();
        }
      }
      expect(answers.postgres?.map((answer) => (answer as unknown[])[0])).toEqual([
        200, 400, 200, 200, 400,
      ]);
      expect(answers.postgres?.[0]).toEqual([
        200,
        expect.objectContaining({ data: { valid: true, email } }),
      ]);
      expect(answers.postgres).toEqual(answers.sqlite);
      const copy = createDatabase(url);
      try {
        const rows = await copy.db.selectFrom('reset_requests').select('email_key').execute();
        expect(rows).toEqual([{ email_key: 'someone@example.com' }]);
      } finally {
        await copy.close();
      }
    } finally {
      await postgres.drop('rekey_bench_floor');
    }
  });

  it('counts the CPU of the server and its backends', () => {
    expect(postgres.cpuSeconds()).toBeGreaterThan(0);
  });
});
