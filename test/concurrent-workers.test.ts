import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { claimDueMail, enqueueMail } from '../src/mail/outbox.ts';
import { processResetRequests } from '../src/reset/process-reset-requests.ts';
import { requestPasswordReset } from '../src/reset/request-password-reset.ts';
import { describePostgres } from './support/databases.ts';
import { insertActiveAccounts, requestProcessingDeps } from './support/fixtures.ts';
import { createPostgresDatabase, type PostgresDatabase } from './support/postgres.ts';

const NOW = Date.UTC(2026, 10, 24, 12);

describePostgres('several workers on one database', () => {
  let database: PostgresDatabase;
  let workers: Db[];
  beforeEach(async () => {
    database = await createPostgresDatabase();
    // One pool per worker: separate sessions, as separate processes would have.
    workers = Array.from({ length: 6 }, () => createDatabase(database.url, { poolSize: 2 }));
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await database.drop();
  });

  it('hands each due message to exactly one worker when all of them claim at once', async () => {
    const [first] = workers;
    if (!first) throw new Error('no worker');
    await migrateToLatest(first.db);
    const total = 300;
    for (let i = 0; i < total; i += 1) {
      await enqueueMail(first.db, {
        kind: 'password_changed',
        recipient: `user${i}@example.com`,
        payload: { name: '', changedAt: NOW },
        now: NOW,
        expiresAt: NOW + 3_600_000,
      });
    }

    const claimed: number[] = [];
    await Promise.all(
      workers.map(async (worker) => {
        for (;;) {
          const batch = await claimDueMail(worker.db, worker.dialect, NOW, 5, 60_000);
          if (batch.length === 0) return;
          claimed.push(...batch.map((message) => message.id));
        }
      }),
    );
    expect(claimed).toHaveLength(total);
    expect(new Set(claimed).size).toBe(total);
  });

  async function createAccounts(db: Db, count: number): Promise<string[]> {
    await migrateToLatest(db.db);
    return insertActiveAccounts(db.db, count, NOW);
  }

  const clock = { now: () => NOW };

  async function requestResets(db: Db, emails: string[], rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round += 1) {
      for (const email of emails) {
        await requestPasswordReset({ db: db.db, clock }, email, {
          clientIp: '203.0.113.7',
          userAgent: 'test',
        });
      }
    }
  }

  /** Every worker processes batches at the same time until none sees a pending request. */
  async function processConcurrently(env: Record<string, string>): Promise<void> {
    const config = loadConfig(env);
    await Promise.all(
      workers.map(async (worker) => {
        const deps = requestProcessingDeps(worker, clock, config);
        while ((await processResetRequests(deps, 5)) > 0);
      }),
    );
  }

  async function tokenOwners(db: Db): Promise<string[]> {
    const rows = await db.db
      .selectFrom('password_reset_tokens')
      .innerJoin('users', 'users.id', 'password_reset_tokens.user_id')
      .select('users.email')
      .execute();
    return rows.map((row) => row.email).sort();
  }

  async function mailRecipients(db: Db): Promise<string[]> {
    const rows = await db.db.selectFrom('outbox').select('recipient').execute();
    return rows.map((row) => row.recipient).sort();
  }

  it('hands each forgot-password request to exactly one worker', async () => {
    const [first] = workers;
    if (!first) throw new Error('no worker');
    const emails = await createAccounts(first, 40);
    await requestResets(first, emails, 1);
    // No per-account limit to hide a request handled twice: each one must give one token.
    await processConcurrently({ RESET_ACCOUNT_COOLDOWN: '0', RESET_ACCOUNT_HOURLY_LIMIT: '1000' });
    expect(await tokenOwners(first)).toEqual([...emails].sort());
    expect(await mailRecipients(first)).toEqual([...emails].sort());
  });

  it('keeps the per-account limit when workers handle one account at the same time', async () => {
    const [first] = workers;
    if (!first) throw new Error('no worker');
    const emails = await createAccounts(first, 20);
    await requestResets(first, emails, 4);
    await processConcurrently({});
    expect(await tokenOwners(first)).toEqual([...emails].sort());
    expect(await mailRecipients(first)).toEqual([...emails].sort());
  });
});
