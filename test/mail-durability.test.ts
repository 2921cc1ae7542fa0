import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, type ServerProcess, startServerProcess } from './support/process.ts';
import { registerUser, startTestService, type TestService } from './support/service.ts';
import { type SmtpSink, startSmtpSink, tokenFromMail } from './support/smtp.ts';
import { waitFor } from './support/wait.ts';

const ACCEPTED = {
  status: true,
  status_code: 200,
  message: 'You will receive a password reset link shortly.',
  data: {},
};

describe('while the SMTP server is down', () => {
  let t: TestService;
  afterEach(() => t.close());

  it('answers forgot-password at once, and the mail arrives once the server is back', async () => {
    t = await startTestService();
    await registerUser(t, { email: 'ada@example.com', first_name: 'Ada' });
    t.smtp.setAvailable(false);

    const response = await t.post('/auth/forgot-password/', { email: 'ada@example.com' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(ACCEPTED);

    await t.drainMail();
    const db = t.service.deps.db;
    const [row] = await db.selectFrom('outbox').selectAll().execute();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, recipient: 'ada@example.com' });
    expect(row?.last_error).toMatch(/421|not available/i);
    expect(row?.next_attempt_at).toBeGreaterThan(t.clock.now());

    t.smtp.setAvailable(true);
    await t.drainMail();
    expect(t.smtp.mails).toHaveLength(0); // not due yet: the backoff holds

    t.clock.advance((row?.next_attempt_at ?? 0) - t.clock.now());
    await t.drainMail();
    const [mail] = await t.smtp.waitForMails(1);
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(tokenFromMail(mail as NonNullable<typeof mail>)).toMatch(/^[\w-]{43}$/);

    t.clock.advance(60 * 60_000);
    await t.drainMail();
    expect(t.smtp.mails).toHaveLength(1);
    expect(await db.selectFrom('outbox').select(['status', 'payload']).execute()).toEqual([
      { status: 'sent', payload: '{}' },
    ]);
  });

  it('keeps retrying with growing pauses, and gives up only when the token has expired', async () => {
    t = await startTestService({ RESET_TOKEN_TTL: '60' });
    await registerUser(t, { email: 'ada@example.com' });
    t.smtp.setAvailable(false);
    await t.post('/auth/forgot-password/', { email: 'ada@example.com' });
    const db = t.service.deps.db;
    const pauses: number[] = [];
    for (let pass = 0; pass < 10; pass += 1) {
      await t.drainMail();
      const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
      if (row.status !== 'pending') break;
      pauses.push(row.next_attempt_at - t.clock.now());
      t.clock.advance(row.next_attempt_at - t.clock.now());
    }
    expect(pauses.slice(0, 4)).toEqual([2000, 4000, 8000, 16000]);
    const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    // The link can no longer be sent: the token is wiped from the payload for good.
    expect(Object.keys(JSON.parse(row.payload))).not.toContain('token');
    expect(row.payload).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(t.smtp.mails).toHaveLength(0);
  });
});

describe('the real server process', { timeout: 90_000 }, () => {
  let directory: string;
  let sink: SmtpSink | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(() => requireBuild());
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    }
    await sink?.close();
    sink = undefined;
    rmSync(directory, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServerProcess({
      DATABASE_URL: `sqlite:${join(directory, 'rekey.db')}`,
      ...env,
    });
    servers.push(server);
    return server;
  }

  async function register(server: ServerProcess, email: string) {
    const response = await server.post('/auth/register/', {
      email,
      password: 'correct horse battery',
      first_name: 'Ada',
    });
    expect(response.status).toBe(201);
  }

  function outboxRows() {
    const db = new DatabaseSync(join(directory, 'rekey.db'), { readOnly: true });
    try {
      return db.prepare('SELECT status, recipient, last_error, locked_until FROM outbox').all();
    } finally {
      db.close();
    }
  }

  it('delivers a requested mail after the process is killed right after answering', async () => {
    directory = mkdtempSync(join(tmpdir(), 'rekey-durable-'));
    sink = await startSmtpSink();
    // No worker in the first process: the request is answered, nothing is sent, then SIGKILL.
    const first = await start({ SMTP_URL: sink.url, MAIL_WORKER: 'false' });
    await register(first, 'ada@example.com');
    const answer = await first.post('/auth/forgot-password/', { email: 'ada@example.com' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(ACCEPTED);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(sink.mails).toHaveLength(0);

    await start({ SMTP_URL: sink.url });
    const [mail] = await sink.waitForMails(1, 20_000);
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(mail?.parsed.subject).toBe('Password Reset Request - BikeShop');
    expect(tokenFromMail(mail as NonNullable<typeof mail>)).toMatch(/^[\w-]{43}$/);
  });

  it('delivers a mail whose first attempt failed after the process is killed and restarted', async () => {
    directory = mkdtempSync(join(tmpdir(), 'rekey-durable-'));
    sink = await startSmtpSink();
    sink.setAvailable(false);
    const first = await start({ SMTP_URL: sink.url });
    await register(first, 'ada@example.com');
    expect((await first.post('/auth/forgot-password/', { email: 'ada@example.com' })).status).toBe(
      200,
    );
    // Killed after the failed attempt was recorded: killed mid-send, the message would wait
    // for its lease (60 s) to run out before another worker takes it.
    await waitFor(
      () => {
        const [row] = outboxRows();
        return row?.last_error != null && row.locked_until === null;
      },
      { what: 'the first, failed attempt' },
    );
    first.child.kill('SIGKILL');
    await first.exited;

    sink.setAvailable(true);
    await start({ SMTP_URL: sink.url });
    const [mail] = await sink.waitForMails(1, 20_000);
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
  });

  it('on SIGTERM finishes the mail in flight, then exits 0', async () => {
    directory = mkdtempSync(join(tmpdir(), 'rekey-durable-'));
    sink = await startSmtpSink({ delayMs: 1500 });
    const server = await start({ SMTP_URL: sink.url });
    await register(server, 'ada@example.com');
    await server.post('/auth/forgot-password/', { email: 'ada@example.com' });
    const smtp = sink;
    await waitFor(() => smtp.inFlight() === 1, { what: 'the mail to be in flight' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(sink.mails).toHaveLength(1);
    expect(outboxRows()).toMatchObject([{ status: 'sent', recipient: 'ada@example.com' }]);
  });
});
