import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { claimDueMail, releaseClaimedMail } from '../src/mail/outbox.ts';
import { createSmtpTransport, type MailTransport } from '../src/mail/transport.ts';
import { createMailWorker, type MailWorkerOptions } from '../src/mail/worker.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { enqueuePasswordChangedMails, insertActiveAccounts } from './support/fixtures.ts';
import { startTestService, type TestService } from './support/service.ts';
import { waitFor } from './support/wait.ts';

/**
 * A worker claims a batch of mails under one lease (60 s) and sends them one by one. Time
 * passes on the test's clock, which is the worker's: a send "takes" as long as the test
 * advances the clock during it.
 */
describeEachDatabase('a worker whose lease on its batch runs short', (target) => {
  let t: TestService;
  let database: TestDatabase;
  const transports: MailTransport[] = [];
  let emails: string[];

  beforeEach(async () => {
    database = await target.create();
    t = await startTestService({}, { databaseUrl: database.url });
    const now = t.clock.now();
    emails = await insertActiveAccounts(t.service.deps.db, 5, now);
    await enqueuePasswordChangedMails(t.service.deps.db, emails, now);
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) transport.close();
    await t.close();
    await database.drop();
  });

  function smtpTransport(url = t.smtp.url, sendTimeoutMs?: number): MailTransport {
    const transport = createSmtpTransport(url, sendTimeoutMs ? { sendTimeoutMs } : {});
    transports.push(transport);
    return transport;
  }

  /**
   * Sends through the test's SMTP sink and moves the clock on as if each send took `ms`;
   * `beforeSend` runs as the nth send starts (n from 1).
   */
  function slowTransport(ms: number, beforeSend: (n: number) => Promise<void> = async () => {}) {
    const smtp = smtpTransport();
    let started = 0;
    const slow: MailTransport = {
      sendTimeoutMs: smtp.sendTimeoutMs,
      async send(mail, options) {
        started += 1;
        await beforeSend(started);
        await smtp.send(mail, options);
        t.clock.advance(ms);
      },
      close: () => smtp.close(),
    };
    return slow;
  }

  function worker(transport: MailTransport, options: MailWorkerOptions = {}) {
    return createMailWorker(t.service.deps, transport, options);
  }

  function outbox() {
    return t.service.deps.db
      .selectFrom('outbox')
      .select(['recipient', 'status', 'attempts', 'locked_until', 'next_attempt_at', 'last_error'])
      .orderBy('id')
      .execute();
  }

  const received = () => t.smtp.mails.map((mail) => mail.envelopeTo.join(',')).sort();

  // Each send takes 27.5 s of the 60 s lease: two end by the lease's end less its 5 s
  // margin (55 s); a third would run past it.
  const SEND_MS = 27_500;

  it('sends nothing past the lease, and gives back untried the mails it had no time for', async () => {
    const first = await worker(slowTransport(SEND_MS)).runOnce();
    expect(first).toMatchObject({ sent: 2, failed: 0, released: 3 });
    expect(received()).toEqual(emails.slice(0, 2));

    const rows = await outbox();
    expect(rows.slice(0, 2).map((row) => [row.status, row.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
    // Due again at once, with no attempt spent: none was made.
    for (const row of rows.slice(2)) {
      expect(row).toMatchObject({ status: 'pending', attempts: 0, locked_until: null });
      expect(Number(row.next_attempt_at)).toBeLessThanOrEqual(t.clock.now());
      expect(row.last_error).toBeNull();
    }

    const second = await worker(smtpTransport()).runOnce();
    expect(second).toMatchObject({ sent: 3, failed: 0, released: 0 });
    expect(received()).toEqual(emails); // each one exactly once
    expect((await outbox()).map((row) => [row.status, row.attempts])).toEqual(
      emails.map(() => ['sent', 1]),
    );
  });

  it('gives the untried mails back once when two sends run side by side', async () => {
    // Both sends start with the whole lease and are held until 55 s have passed; then each
    // runner finds the lease too short, and the three untried mails go back once.
    const smtp = smtpTransport();
    let started = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const concurrent: MailTransport = {
      sendTimeoutMs: smtp.sendTimeoutMs,
      maxConcurrentSends: 2,
      async send(mail, options) {
        started += 1;
        await held;
        await smtp.send(mail, options);
      },
      close: () => smtp.close(),
    };
    const pass = worker(concurrent).runOnce();
    await waitFor(() => started === 2, { what: 'two sends in flight' });
    t.clock.advance(55_000);
    release();
    expect(await pass).toMatchObject({ sent: 2, failed: 0, released: 3 });
    expect(started).toBe(2);
    expect(received()).toEqual(emails.slice(0, 2));
    for (const row of (await outbox()).slice(2)) {
      expect(row).toMatchObject({ status: 'pending', attempts: 0, locked_until: null });
    }
    expect(await worker(smtpTransport()).runOnce()).toMatchObject({ sent: 3, released: 0 });
    expect(received()).toEqual(emails); // each one exactly once
  });

  it('sends each mail once when another worker claims the batch as its lease ends', async () => {
    const leaseEnd = t.clock.now() + 60_000;
    const other = worker(smtpTransport());
    // Were a third send started (at 55 s), the lease would end during it: the other worker
    // then takes over what is left and sends it, the first worker's send included.
    const first = await worker(
      slowTransport(SEND_MS, async (n) => {
        if (n !== 3) return;
        t.clock.set(leaseEnd);
        await other.runOnce();
      }),
    ).runOnce();
    t.clock.set(Math.max(t.clock.now(), leaseEnd));
    await other.runOnce();

    expect(received()).toEqual(emails);
    expect(first).toMatchObject({ sent: 2, released: 3 });
    expect((await outbox()).map((row) => row.status)).toEqual(emails.map(() => 'sent'));
  });

  it("gives back only what is still under its own lease, not another worker's claim", async () => {
    const { db, dialect } = t.service.deps;
    const now = t.clock.now();
    const mine = await claimDueMail(db, dialect, now, 5, 60_000);
    // The lease ran out; another worker claimed the mails again.
    const theirs = await claimDueMail(db, dialect, now + 60_000, 5, 60_000);
    expect(theirs.map((row) => row.id)).toEqual(mine.map((row) => row.id));
    const released = await releaseClaimedMail(
      db,
      mine.map((row) => row.id),
      now + 60_000,
    );
    expect(released).toBe(0);
    for (const row of await outbox()) {
      expect(row).toMatchObject({ status: 'pending', attempts: 2 });
      expect(Number(row.locked_until)).toBe(now + 120_000);
    }
  });

  /** An SMTP server that takes a message's data and never answers it. */
  async function startSilentServer() {
    let received = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, _callback) {
        stream.on('end', () => {
          received += 1;
        });
        stream.resume();
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    return {
      url: `smtp://127.0.0.1:${port}`,
      received: () => received,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('aborts a send that would outlast the lease where the lease ends, as a failed attempt', async () => {
    const silent = await startSilentServer();
    try {
      // A 7 s lease less the 5 s margin: a send gets 2 s, well under its 30 s timeout.
      const pass = await worker(smtpTransport(silent.url), {
        batchSize: 1,
        leaseMs: 7000,
      }).runOnce();
      expect(silent.received()).toBe(1); // the message was on the wire when it was cut off
      expect(pass).toMatchObject({ sent: 0, failed: 0, released: 0 });
      const [row] = await outbox();
      expect(row).toMatchObject({ status: 'pending', attempts: 1, locked_until: null });
      expect(row?.last_error).toMatch(/aborted.*lease/);
      expect(Number(row?.next_attempt_at)).toBe(t.clock.now() + 2000); // the first backoff

      t.clock.advance(2000);
      expect(await worker(smtpTransport()).runOnce()).toMatchObject({ sent: 5 });
      expect(received()).toEqual(emails);
    } finally {
      await silent.close();
    }
  });

  it("still ends a send at the transport's own timeout when that comes first", async () => {
    const silent = await startSilentServer();
    try {
      const pass = await worker(smtpTransport(silent.url, 300), { batchSize: 1 }).runOnce();
      await waitFor(() => silent.received() === 1, { what: 'the message to reach the server' });
      expect(pass).toMatchObject({ sent: 0, failed: 0 });
      const [row] = await outbox();
      expect(row).toMatchObject({ status: 'pending', attempts: 1, locked_until: null });
      expect(row?.last_error).toMatch(/aborted.*timeout \(300 ms\)/);
    } finally {
      await silent.close();
    }
  });
});
