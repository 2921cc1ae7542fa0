import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSmtpTransport, type MailTransport } from '../src/mail/transport.ts';
import { createMailWorker } from '../src/mail/worker.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { enqueuePasswordChangedMails, insertActiveAccounts } from './support/fixtures.ts';
import { startTestService, type TestService } from './support/service.ts';
import { type SmtpSink, startSmtpSink } from './support/smtp.ts';
import { waitFor } from './support/wait.ts';

/**
 * A relay that answers a message's data only when the test lets it, as a distant one
 * answers a round trip later: the worker's sends overlap up to the SMTP pool's size,
 * never beyond it, and each mail still goes out once.
 */
describeEachDatabase('a worker sending to a slow relay', (target) => {
  let t: TestService;
  let database: TestDatabase;
  let relay: SmtpSink;
  const transports: MailTransport[] = [];
  let emails: string[];

  beforeEach(async () => {
    database = await target.create();
    t = await startTestService({}, { databaseUrl: database.url });
    relay = await startSmtpSink({ hold: true });
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
      await waitFor(() => over || relay.inFlight() > 0, { what: 'a message at the relay' });
      relay.releaseHeld();
    }
    return pass;
  }

  it('has as many sends in flight as the pool has connections (?maxConnections=3)', async () => {
    const smtp = transport('?maxConnections=3');
    expect(smtp.maxConcurrentSends).toBe(3);
    const pass = createMailWorker(t.service.deps, smtp).runOnce();
    await waitFor(() => relay.inFlight() === 3, { what: 'three messages held at once' });
    relay.releaseHeld();
    await waitFor(() => relay.inFlight() === 3, { what: 'the next three' });
    relay.releaseHeld();
    await waitFor(() => relay.inFlight() === 1, { what: 'the last one' });
    relay.releaseHeld();
    expect(await pass).toMatchObject({ sent: 7, failed: 0, released: 0 });
    expect(relay.mostInFlight()).toBe(3);
    expect(relay.mails.flatMap((mail) => mail.envelopeTo).sort()).toEqual([...emails].sort()); // each once
    const rows = await t.service.deps.db.selectFrom('outbox').select('status').execute();
    expect(rows.map((row) => row.status)).toEqual(emails.map(() => 'sent'));
  });

  it('sends one at a time when SMTP_URL does not ask for more connections', async () => {
    const one = transport('');
    expect(one.maxConcurrentSends).toBe(1);
    expect(transport('?maxConnections=1').maxConcurrentSends).toBe(1);
    expect(await passAgainstRelay(one)).toMatchObject({ sent: 7 });
    expect(relay.mostInFlight()).toBe(1);
    expect(relay.mails.flatMap((mail) => mail.envelopeTo).sort()).toEqual([...emails].sort());
  });
});
