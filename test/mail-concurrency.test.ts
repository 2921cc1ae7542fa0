import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSmtpTransport, type MailTransport } from '../src/mail/transport.ts';
import { createMailWorker } from '../src/mail/worker.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { enqueuePasswordChangedMails, insertActiveAccounts } from './support/fixtures.ts';
import { startTestService, type TestService } from './support/service.ts';
import { waitFor } from './support/wait.ts';

/**
 * A relay that answers a message's data only when the test lets it, as a distant one
 * answers a round trip later: the worker's sends overlap up to the SMTP pool's size,
 * never beyond it, and each mail still goes out once.
 */
describeEachDatabase('a worker sending to a slow relay', (target) => {
  let t: TestService;
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof startHeldRelay>>;
  const transports: MailTransport[] = [];
  let emails: string[];

  beforeEach(async () => {
    database = await target.create();
    t = await startTestService({}, { databaseUrl: database.url });
    relay = await startHeldRelay();
    const now = t.clock.now();
    emails = await insertActiveAccounts(t.service.deps.db, 7, now);
    await enqueuePasswordChangedMails(t.service.deps.db, emails, now);
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) transport.close();
    await relay.close();
    await t.close();
    await database.drop();
  });

  function transport(query: string): MailTransport {
    const smtp = createSmtpTransport(`${relay.url}${query}`);
    transports.push(smtp);
    return smtp;
  }

  /** Runs a pass, letting the relay answer whatever it holds, until the pass is over. */
  async function passAgainstRelay(smtp: MailTransport) {
    const worker = createMailWorker(t.service.deps, smtp);
    let over = false;
    const pass = worker.runOnce().finally(() => {
      over = true;
    });
    while (!over) {
      await waitFor(() => over || relay.held() > 0, { what: 'a message at the relay' });
      relay.answerAll();
    }
    return pass;
  }

  it('has as many sends in flight as the pool has connections (?maxConnections=3)', async () => {
    const smtp = transport('?maxConnections=3');
    expect(smtp.maxConcurrentSends).toBe(3);
    const pass = createMailWorker(t.service.deps, smtp).runOnce();
    await waitFor(() => relay.held() === 3, { what: 'three messages held at once' });
    relay.answerAll();
    await waitFor(() => relay.held() === 3, { what: 'the next three' });
    relay.answerAll();
    await waitFor(() => relay.held() === 1, { what: 'the last one' });
    relay.answerAll();
    expect(await pass).toMatchObject({ sent: 7, failed: 0, released: 0 });
    expect(relay.mostHeld()).toBe(3);
    expect(relay.recipients().sort()).toEqual([...emails].sort()); // each once
    const rows = await t.service.deps.db.selectFrom('outbox').select('status').execute();
    expect(rows.map((row) => row.status)).toEqual(emails.map(() => 'sent'));
  });

  it('sends one at a time when SMTP_URL does not ask for more connections', async () => {
    const one = transport('');
    expect(one.maxConcurrentSends).toBe(1);
    expect(transport('?maxConnections=1').maxConcurrentSends).toBe(1);
    expect(await passAgainstRelay(one)).toMatchObject({ sent: 7 });
    expect(relay.mostHeld()).toBe(1);
    expect(relay.recipients().sort()).toEqual([...emails].sort());
  });
});

/** An SMTP server that keeps each message's final reply until answerAll() is called. */
async function startHeldRelay() {
  const waiting: (() => void)[] = [];
  const recipients: string[] = [];
  let mostHeld = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        waiting.push(() => {
          recipients.push(...session.envelope.rcptTo.map((rcpt) => rcpt.address));
          callback();
        });
        mostHeld = Math.max(mostHeld, waiting.length);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    held: () => waiting.length,
    mostHeld: () => mostHeld,
    answerAll: () => {
      for (const answer of waiting.splice(0)) answer();
    },
    recipients: () => recipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
