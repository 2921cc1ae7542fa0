import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { insertUser } from '../src/accounts/users.ts';
import { loadConfig } from '../src/config.ts';
import { createDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { claimDueMail, enqueueMail } from '../src/mail/outbox.ts';
import { processResetRequests } from '../src/reset/process-reset-requests.ts';
import { requestPasswordReset } from '../src/reset/request-password-reset.ts';
import { describePostgres } from './support/databases.ts';
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

  it('turns each reset request into at most one mail per account when all workers process at once', async () => {
    const [first] = workers;
    if (!first) throw new Error('no worker');
    await migrateToLatest(first.db);
    const emails = Array.from({ length: 20 }, (_, i) => `user${i}@example.com`);
    for (const email of emails) {
      await insertUser(first.db, {
        id: randomUUID(),
        email,
        email_key: email,
        password_hash: 'unused',
        first_name: '',
        last_name: '',
        is_active: 1,
        created_at: NOW,
        updated_at: NOW,
      });
    }
    const clock = { now: () => NOW };
    // Four requests per account, all pending when the workers start.
    for (let round = 0; round < 4; round += 1) {
      for (const email of emails) {
        await requestPasswordReset({ db: first.db, clock }, email, {
          clientIp: '203.0.113.7',
          userAgent: 'test',
        });
      }
    }

    const config = loadConfig({});
    await Promise.all(
      workers.map((worker) =>
        processResetRequests({ db: worker.db, dialect: worker.dialect, clock, config }, 5),
      ),
    );
    // Each worker takes one batch; whatever is left is drained afterwards.
    while ((await processResetRequests({ ...first, clock, config }, 50)) > 0);

    const tokens = await first.db
      .selectFrom('password_reset_tokens')
      .innerJoin('users', 'users.id', 'password_reset_tokens.user_id')
      .select('users.email')
      .execute();
    expect(tokens.map((row) => row.email).sort()).toEqual([...emails].sort());
    const mails = await first.db.selectFrom('outbox').select('recipient').execute();
    expect(mails.map((row) => row.recipient).sort()).toEqual([...emails].sort());
  });
});
