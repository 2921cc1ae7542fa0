import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { insertUser } from '../src/accounts/users.ts';
import { createDatabase, type Db } from '../src/db/database.ts';
import { describePostgres } from './support/databases.ts';
import { createPostgresDatabase, type PostgresDatabase } from './support/postgres.ts';
import {
  postJson,
  type RekeyProcess,
  startApiProcess,
  startWorkerProcess,
  stopAll,
} from './support/processes.ts';
import { testHasher } from './support/service.ts';
import { type SmtpSink, startSmtpSink, tokenFromMail } from './support/smtp.ts';
import { waitFor } from './support/wait.ts';

/**
 * Rekey as it runs past one machine: API processes (`dist/main.js`, MAIL_WORKER=false)
 * and worker processes (`dist/cli.js worker`) over one PostgreSQL, sharing nothing but
 * the database. All of them start at once, so they also migrate at once.
 */
describePostgres('several processes on one database', () => {
  let database: PostgresDatabase;
  let smtp: SmtpSink;
  let db: Db;
  let processes: RekeyProcess[];

  beforeEach(async () => {
    database = await createPostgresDatabase();
    db = createDatabase(database.url, { poolSize: 2 });
    smtp = await startSmtpSink();
    processes = [];
  }, 90_000);
  afterEach(async () => {
    await stopAll(processes);
    await db.close();
    await smtp.close();
    await database.drop();
  }, 90_000);

  async function start(
    roles: Array<'api' | 'worker'>,
    env: Record<string, string> = {},
  ): Promise<RekeyProcess[]> {
    const shared = {
      DATABASE_URL: database.url,
      SMTP_URL: smtp.url,
      RATE_LIMIT_FORGOT_PASSWORD: '1000',
      ...env,
    };
    const started = await Promise.all(
      roles.map((role, index) =>
        role === 'api'
          ? startApiProcess(`api-${index}`, shared)
          : startWorkerProcess(`worker-${index}`, shared),
      ),
    );
    processes.push(...started);
    return started;
  }

  async function createUsers(count: number): Promise<string[]> {
    const passwordHash = await testHasher.hash('correct horse battery');
    const emails = Array.from({ length: count }, (_, i) => `user${i}@example.com`);
    for (const email of emails) {
      await insertUser(db.db, {
        id: randomUUID(),
        email,
        email_key: email,
        password_hash: passwordHash,
        first_name: '',
        last_name: '',
        is_active: 1,
        created_at: Date.now(),
        updated_at: Date.now(),
      });
    }
    return emails;
  }

  /** Every request handled and every mail out of the outbox: nothing more can be sent. */
  async function waitUntilDrained(): Promise<void> {
    await waitFor(
      async () => {
        const requests = await db.db
          .selectFrom('reset_requests')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('processed_at', 'is', null)
          .executeTakeFirstOrThrow();
        const mails = await db.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow();
        return Number(requests.n) === 0 && Number(mails.n) === 0;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the outbox to drain' },
    );
  }

  function recipientCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const mail of smtp.mails) {
      for (const to of mail.envelopeTo) counts.set(to, (counts.get(to) ?? 0) + 1);
    }
    return counts;
  }

  it('sends each reset mail exactly once when requests for many accounts hit both APIs', async () => {
    const [api1, api2] = await start(['api', 'api', 'worker']);
    if (!api1 || !api2) throw new Error('processes did not start');
    const emails = await createUsers(30);
    // Three requests per account, spread over both APIs: the per-account cooldown,
    // checked under a row lock in the worker, lets exactly one of them become a mail.
    const requests = emails.flatMap((email, i) => [
      postJson(i % 2 ? api1 : api2, '/auth/forgot-password/', { email }),
      postJson(i % 2 ? api2 : api1, '/auth/forgot-password/', { email }),
      postJson(i % 2 ? api1 : api2, '/auth/forgot-password/', { email }),
    ]);
    const answers = await Promise.all(requests);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);

    await smtp.waitForMails(emails.length, 30_000);
    await waitUntilDrained();
    expect(smtp.mails).toHaveLength(emails.length);
    expect(recipientCounts()).toEqual(new Map(emails.map((email) => [email, 1])));
  }, 90_000);

  it('holds a per-IP limit reached through one API process on the other', async () => {
    const [api1, api2] = await start(['api', 'api'], { RATE_LIMIT_VERIFY_RESET_TOKEN: '3' });
    if (!api1 || !api2) throw new Error('processes did not start');
    const verify = (api: RekeyProcess) =>
      postJson(api, '/auth/verify-reset-token/', { token: 'x'.repeat(43) });
    for (let i = 0; i < 3; i += 1) expect((await verify(api1)).status).toBe(400);
    const limited = await verify(api2);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await verify(api1)).status).toBe(429);
  }, 90_000);

  it('lets exactly one of many concurrent resets with one token succeed across both APIs', async () => {
    const [api1, api2] = await start(['api', 'api', 'worker']);
    if (!api1 || !api2) throw new Error('processes did not start');
    const [email] = await createUsers(1);
    expect((await postJson(api1, '/auth/forgot-password/', { email })).status).toBe(200);
    const [mail] = await smtp.waitForMails(1, 30_000);
    if (!mail) throw new Error('no mail');
    const token = tokenFromMail(mail);

    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        postJson(i % 2 ? api1 : api2, '/auth/reset-password/', {
          token,
          new_password: `brand new passphrase ${i}`,
          confirm_password: `brand new passphrase ${i}`,
        }),
      ),
    );
    const succeeded = attempts.filter((a) => a.status === 200);
    const refused = attempts.filter((a) => a.status === 400);
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(11);
    for (const answer of refused) {
      expect(answer.body.data.errors).toEqual({
        token: ['Token has expired or already been used'],
      });
    }
  }, 90_000);

  it('never sends one message twice when two workers drain one queue at once', async () => {
    const [api] = await start(['api']);
    if (!api) throw new Error('process did not start');
    const emails = await createUsers(40);
    // Two requests per account: the per-account cooldown must hold across both workers too.
    for (const email of [...emails, ...emails]) {
      expect((await postJson(api, '/auth/forgot-password/', { email })).status).toBe(200);
    }
    // Both workers start at once on a full queue of requests and, from them, a full outbox.
    await start(['worker', 'worker']);

    await smtp.waitForMails(emails.length, 30_000);
    await waitUntilDrained();
    expect(smtp.mails).toHaveLength(emails.length);
    expect(recipientCounts()).toEqual(new Map(emails.map((email) => [email, 1])));
    const attempts = await db.db.selectFrom('outbox').select('attempts').execute();
    expect(attempts.map((row) => row.attempts)).toEqual(emails.map(() => 1));
  }, 90_000);
});
