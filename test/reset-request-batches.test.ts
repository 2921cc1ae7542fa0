import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createSmtpTransport } from '../src/mail/transport.ts';
import { createMailWorker } from '../src/mail/worker.ts';
import { processResetRequests } from '../src/reset/process-reset-requests.ts';
import { requestPasswordReset } from '../src/reset/request-password-reset.ts';
import { describeEachDatabase, describePostgres, type TestDatabase } from './support/databases.ts';
import { insertActiveAccounts, requestProcessingDeps } from './support/fixtures.ts';
import {
  createPostgresDatabase,
  gate,
  type PostgresDatabase,
  waitForLockWait,
} from './support/postgres.ts';
import {
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';
import { startSmtpSink, tokenFromMail } from './support/smtp.ts';
import { waitFor } from './support/wait.ts';
import { isInsertInto, isUpdateOf, watchQueries } from './support/watch-queries.ts';

describeEachDatabase('forgot-password requests handled in batches', (target) => {
  let t: TestService;
  let database: TestDatabase;
  beforeEach(async () => {
    database = await target.create();
    t = await startTestService({}, { databaseUrl: database.url });
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  const forgot = (email: string) => t.post('/auth/forgot-password/', { email });

  async function pendingRequests() {
    return t.service.deps.db
      .selectFrom('reset_requests')
      .select(['id', 'email_key'])
      .where('processed_at', 'is', null)
      .orderBy('id')
      .execute();
  }

  async function resetOutcomes() {
    const rows = await t.service.deps.db
      .selectFrom('audit_events')
      .select('details')
      .where('event_type', '=', 'reset_requested')
      .orderBy('id')
      .execute();
    return rows.map((row) => JSON.parse(row.details ?? '{}').outcome);
  }

  it('sends one mail for two requests for one account in the same batch', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    await forgot('ada@example.com');
    await forgot('ADA@example.com');

    const pass = await t.service.worker.runOnce();
    expect(pass.requests).toBe(2);
    expect(pass.sent).toBe(1);
    await t.smtp.waitForMails(1);
    await t.drainMail();
    expect(t.smtp.mails).toHaveLength(1);
    expect(await resetOutcomes()).toEqual(['queued', 'cooldown']);
    expect(
      await t.service.deps.db.selectFrom('password_reset_tokens').selectAll().execute(),
    ).toHaveLength(1);
  });

  it('leaves every request of a batch pending when the database fails half-way through it', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    await registerUser(t, { email: 'bob@example.com' });
    for (const email of ['ada@example.com', 'nobody@example.com', 'bob@example.com']) {
      await forgot(email);
    }
    const before = await pendingRequests();
    expect(before).toHaveLength(3);

    // Ada's and Bob's tokens are written, then their mails' insert fails: the whole batch
    // must roll back.
    let tokenInserts = 0;
    const { plugin } = watchQueries((node) => {
      if (isInsertInto(node, 'password_reset_tokens')) tokenInserts += 1;
      if (isInsertInto(node, 'outbox')) throw new Error('injected');
    });
    const deps = { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) };
    await expect(processResetRequests(deps)).rejects.toThrow('injected');
    expect(tokenInserts).toBe(1);

    expect(await pendingRequests()).toEqual(before);
    const db = t.service.deps.db;
    expect(await db.selectFrom('password_reset_tokens').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('outbox').selectAll().execute()).toEqual([]);
    expect(await resetOutcomes()).toEqual([]);

    // The next pass handles the very same requests, once.
    await t.drainMail();
    await t.smtp.waitForMails(2);
    expect(t.smtp.mails.map((mail) => mail.envelopeTo).sort()).toEqual([
      ['ada@example.com'],
      ['bob@example.com'],
    ]);
    expect(await pendingRequests()).toEqual([]);
    expect(await resetOutcomes()).toEqual(['queued', 'queued']);
  });

  it('runs as many statements for twenty unknown addresses as for one', async () => {
    const statementsFor = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        // Straight into the queue: the per-IP limit of the HTTP edge is not what is measured.
        await requestPasswordReset(t.service.deps, `nobody${i}@example.com`, {
          clientIp: '203.0.113.7',
          userAgent: 'test',
        });
      }
      const { plugin, seen } = watchQueries();
      const deps = { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) };
      expect(await processResetRequests(deps)).toBe(count);
      return seen.length;
    };
    const one = await statementsFor(1);
    expect(await statementsFor(20)).toBe(one);
    expect(await pendingRequests()).toEqual([]);
  });

  it('writes the links of twenty accounts with as many statements as for one', async () => {
    const emails = await insertActiveAccounts(t.service.deps.db, 21, t.clock.now());
    const statementsFor = async (batch: string[]) => {
      for (const email of batch) {
        await requestPasswordReset(t.service.deps, email, {
          clientIp: '203.0.113.7',
          userAgent: 'test',
        });
      }
      const { plugin, seen } = watchQueries();
      const deps = { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) };
      expect(await processResetRequests(deps)).toBe(batch.length);
      return seen.length;
    };
    const one = await statementsFor(emails.slice(0, 1));
    expect(await statementsFor(emails.slice(1))).toBe(one);
    expect(await resetOutcomes()).toEqual(Array(21).fill('queued'));
    const db = t.service.deps.db;
    expect(await db.selectFrom('outbox').selectAll().execute()).toHaveLength(21);
    const tokens = await db.selectFrom('password_reset_tokens').selectAll().execute();
    expect(new Set(tokens.map((token) => token.user_id)).size).toBe(21);
    expect(tokens.every((token) => token.revoked_at === null)).toBe(true);
  });

  it('with the limits off, mails every request of one account in a batch, and only its last link works', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    const earlier = await requestResetToken(t, 'ada@example.com');
    for (let i = 0; i < 3; i += 1) {
      await requestPasswordReset(t.service.deps, 'ada@example.com', context);
    }
    const deps = {
      ...t.service.deps,
      config: { ...t.service.deps.config, rateLimitEnabled: false },
    };
    expect(await processResetRequests(deps)).toBe(3);
    await t.drainMail();
    await t.smtp.waitForMails(4);
    const links = t.smtp.mails.slice(1).map(tokenFromMail);
    expect(new Set(links).size).toBe(3);
    const verdicts: number[] = [];
    for (const token of [earlier, ...links]) {
      const response = await t.post('/auth/verify-reset-token/', { token });
      verdicts.push(response.statusCode);
    }
    expect(verdicts).toEqual([400, 400, 400, 200]);
  });

  it('handles every pending request in one pass, batch after batch, before its mail', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    for (let i = 0; i < 119; i += 1) {
      await requestPasswordReset(t.service.deps, `nobody${i}@example.com`, context);
    }
    await requestPasswordReset(t.service.deps, 'ada@example.com', context);
    // Three batches of 50; the account's request is in the last, and its mail in this pass.
    expect(await t.service.worker.runOnce()).toMatchObject({ requests: 120, sent: 1 });
    expect(await pendingRequests()).toEqual([]);
  });

  it('ends a pass at its bound of full batches, and the next pass goes on', async () => {
    for (let i = 0; i < 25; i += 1) {
      await requestPasswordReset(t.service.deps, `nobody${i}@example.com`, context);
    }
    const worker = createMailWorker(t.service.deps, t.service.transport, {
      requestBatchSize: 10,
      maxRequestBatchesPerPass: 2,
    });
    expect((await worker.runOnce()).requests).toBe(20);
    expect(await pendingRequests()).toHaveLength(5);
    expect((await worker.runOnce()).requests).toBe(5);
    expect(await pendingRequests()).toEqual([]);
  });

  it('lets the event loop turn between two batches of a pass', async () => {
    for (let i = 0; i < 3; i += 1) {
      await requestPasswordReset(t.service.deps, `nobody${i}@example.com`, context);
    }
    // For each update of reset_requests (a batch's claim, then its blanking of the addresses):
    // had the loop turned since the pass began?
    const turnedAt: boolean[] = [];
    let turned = false;
    const { plugin } = watchQueries((node) => {
      if (isUpdateOf(node, 'reset_requests')) turnedAt.push(turned);
    });
    const worker = createMailWorker(
      { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) },
      t.service.transport,
      { requestBatchSize: 1 },
    );
    setImmediate(() => {
      turned = true;
    });
    expect((await worker.runOnce()).requests).toBe(3);
    // Three full batches, then a fourth claim that finds nothing.
    expect(turnedAt).toHaveLength(7);
    // On SQLite a batch never waits for I/O: only the worker's own yield lets the loop turn.
    expect(turnedAt[2]).toBe(true);
  });

  const context = { clientIp: '203.0.113.9', userAgent: 'test' };
  const storedKeys = async () =>
    (
      await t.service.deps.db
        .selectFrom('reset_requests')
        .select('email_key')
        .orderBy('email_key')
        .execute()
    ).map((row) => row.email_key);

  it('stores requests that arrive together with one insert, each row once', async () => {
    const { plugin, seen } = watchQueries();
    const deps = { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) };
    const emails = Array.from(
      { length: 20 },
      (_, i) => `together${String(i).padStart(2, '0')}@example.com`,
    );
    await Promise.all(emails.map((email) => requestPasswordReset(deps, email, context)));
    expect(seen.filter((node) => isInsertInto(node, 'reset_requests'))).toHaveLength(1);
    expect(await storedKeys()).toEqual(emails);
  });

  it('fails every request of a failed insert, and the next ones are stored', async () => {
    let failNext = true;
    const { plugin } = watchQueries((node) => {
      if (failNext && isInsertInto(node, 'reset_requests')) {
        failNext = false;
        throw new Error('injected database failure');
      }
    });
    const deps = { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) };
    const first = await Promise.allSettled(
      ['lost1@example.com', 'lost2@example.com'].map((email) =>
        requestPasswordReset(deps, email, context),
      ),
    );
    expect(first.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await requestPasswordReset(deps, 'kept@example.com', context);
    expect(await storedKeys()).toEqual(['kept@example.com']);
  });
});

describe('the running worker', () => {
  let t: TestService;
  afterEach(() => t.close());

  const pending = () =>
    t.service.deps.db
      .selectFrom('reset_requests')
      .select('id')
      .where('processed_at', 'is', null)
      .execute();

  it('lets a partial batch gather for its window, which a wake does not cut short but stop() does', async () => {
    t = await startTestService(
      {},
      { workerOptions: { batchWindowMs: 600_000, pollIntervalMs: 600_000 } },
    );
    await t.post('/auth/forgot-password/', { email: 'first@example.com' });
    t.service.worker.start();
    await waitFor(async () => (await pending()).length === 0, { what: 'the first pass' });

    // This request wakes the worker, which is gathering a batch: it waits for the window.
    await t.post('/auth/forgot-password/', { email: 'second@example.com' });
    // The wake is sent on setImmediate; two turns of the loop and it has been delivered.
    for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    await t.service.worker.stop();
    expect(await pending()).toHaveLength(1);
  });
  it('goes on handling requests while a mail waits for the relay', async () => {
    const relay = await startSmtpSink({ hold: true });
    const transport = createSmtpTransport(relay.url);
    try {
      t = await startTestService({}, { transport });
      await registerUser(t, { email: 'ada@example.com' });
      await t.post('/auth/forgot-password/', { email: 'ada@example.com' });
      t.service.worker.start();
      await waitFor(() => relay.inFlight() === 1, { what: 'the mail held at the relay' });
      await t.post('/auth/forgot-password/', { email: 'nobody@example.com' });
      await waitFor(async () => (await pending()).length === 0, {
        what: 'the second request handled while the mail is held',
      });
      expect(relay.inFlight()).toBe(1);
      relay.releaseHeld();
      await relay.waitForMails(1);
    } finally {
      relay.releaseHeld();
      await t.service.worker.stop();
      transport.close();
      await relay.close();
    }
  });
});

describePostgres('forgot-password batches on several workers', () => {
  let database: PostgresDatabase;
  let pools: Db[];
  beforeEach(async () => {
    database = await createPostgresDatabase();
    pools = Array.from({ length: 3 }, () => createDatabase(database.url, { poolSize: 2 }));
  });
  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    await database.drop();
  });

  const NOW = Date.UTC(2026, 10, 24, 12);
  const clock = { now: () => NOW };

  it('lets a second worker take the next batch while the first one waits for a lock', async () => {
    const [a, b, holder] = pools as [Db, Db, Db];
    await migrateToLatest(a.db);
    const emails = await insertActiveAccounts(a.db, 6, NOW);
    for (const email of emails) {
      await requestPasswordReset({ db: a.db, clock }, email, {
        clientIp: '203.0.113.7',
        userAgent: 'test',
      });
    }
    const workerDeps = (db: Db) => requestProcessingDeps(db, clock);

    // A third transaction holds the first account: the worker whose batch names it waits.
    const { released, release } = gate();
    const { released: held, release: holding } = gate();
    const holderDone = holder.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom('users')
        .select('id')
        .where('email_key', '=', 'user0@example.com')
        .forUpdate()
        .execute();
      holding();
      await released;
    });
    await held;

    const first = processResetRequests(workerDeps(a), 3);
    await waitForLockWait(holder.db, 'the first worker to wait for the locked account');

    // The second worker skips the first one's batch instead of queueing behind it.
    expect(await processResetRequests(workerDeps(b), 3)).toBe(3);
    const pending = await holder.db
      .selectFrom('reset_requests')
      .select('id')
      .where('processed_at', 'is', null)
      .orderBy('id')
      .execute();
    expect(pending.map((row) => row.id)).toEqual([1, 2, 3]);

    release();
    await holderDone;
    expect(await first).toBe(3);
    expect(await processResetRequests(workerDeps(b), 3)).toBe(0);

    const recipients = await holder.db.selectFrom('outbox').select('recipient').execute();
    expect(recipients.map((row) => row.recipient).sort()).toEqual(emails);
    const tokens = await holder.db.selectFrom('password_reset_tokens').select('user_id').execute();
    expect(new Set(tokens.map((row) => row.user_id)).size).toBe(6);
    expect(tokens).toHaveLength(6);
  });
});
