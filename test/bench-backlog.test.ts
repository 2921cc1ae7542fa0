import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readResetBacklog } from '../bench/support/reset-backlog.ts';
import { createDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { processResetRequests } from '../src/reset/process-reset-requests.ts';
import { requestPasswordReset } from '../src/reset/request-password-reset.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { requestProcessingDeps } from './support/fixtures.ts';

describeEachDatabase("the bench's count of forgot-password requests handled", (target) => {
  let database: TestDatabase;
  let directory: string;
  let url: string;
  let pool: Db;
  beforeEach(async () => {
    database = await target.create();
    directory = mkdtempSync(join(tmpdir(), 'rekey-bench-backlog-'));
    url = database.url ?? `sqlite:${join(directory, 'bench.db')}`;
    pool = createDatabase(url);
    await migrateToLatest(pool.db);
  });
  afterEach(async () => {
    await pool.close();
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('tells the requests the worker has handled from those still pending', async () => {
    const clock = { now: () => Date.UTC(2026, 11, 7, 12) };
    const context = { clientIp: '203.0.113.8', userAgent: 'bench' };
    for (let i = 0; i < 3; i += 1) {
      await requestPasswordReset({ db: pool.db, clock }, `nobody${i}@example.com`, context);
    }
    expect(await readResetBacklog(url)).toEqual({ handled: 0, pending: 3 });
    expect(await processResetRequests(requestProcessingDeps(pool, clock), 2)).toBe(2);
    expect(await readResetBacklog(url)).toEqual({ handled: 2, pending: 1 });
  });
});
