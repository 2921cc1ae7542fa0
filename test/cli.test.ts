import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from './support/smtp.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');

let directory: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'rekey-cli-'));
  env = {
    PATH: process.env.PATH,
    DATABASE_URL: `sqlite:${join(directory, 'rekey.db')}`,
    LOG_LEVEL: 'silent',
  };
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** `node dist/cli.js …` (built by `npm run build` before the suite), never rejecting. */
async function rekey(args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}) {
  expect(existsSync(CLI), 'dist/cli.js exists: run `npm run build` first').toBe(true);
  const child = run(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv } });
  if (input !== undefined) child.child.stdin?.end(input);
  else child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// Each command is a fresh Node process (~0.5 s); on a loaded 2-core CI machine that adds up.
describe('rekey (the built CLI)', { timeout: 90_000 }, () => {
  it('creates, lists, deactivates and activates users', async () => {
    const created = await rekey(
      ['create-user', '--email', 'ada@example.com', '--password-stdin', '--first-name', 'Ada'],
      'a long enough secret\n',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created ada@example\.com/);

    const listed = await rekey(['list-users', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ email: 'ada@example.com', name: 'Ada', state: 'active' }),
    ]);
    expect((await rekey(['deactivate-user', 'ada@example.com'])).stdout).toBe(
      'ada@example.com is now inactive\n',
    );
    expect((await rekey(['list-users'])).stdout).toContain('\tinactive\t');
    const refused = await rekey(['reset-link', 'ada@example.com']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('deactivated');
    expect((await rekey(['activate-user', 'ada@example.com'])).code).toBe(0);
    const missing = await rekey(['deactivate-user', 'ghost@example.com']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('rekey: no user with the email ghost@example.com\n');
  });

  it('prints a reset link with its expiry, and the audit trail records it', async () => {
    await rekey(
      ['create-user', '--email', 'ada@example.com', '--password-stdin'],
      'another secret 1',
    );
    const issued = await rekey(['reset-link', 'ada@example.com'], undefined, {
      FRONTEND_URL: 'https://shop.example',
    });
    expect(issued.code).toBe(0);
    const [link, expiry] = issued.stdout.trim().split('\n');
    expect(link).toMatch(/^https:\/\/shop\.example\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
    expect(expiry).toMatch(/^expires \d{4}-\d\d-\d\dT.*\(in 1 hour\)/);
    const audit = await rekey(['audit']);
    expect(audit.stdout).toContain('reset_link_issued');
    expect(audit.stdout).not.toContain(link?.split('token=')[1]);
  });

  it('purges and shows the outbox', async () => {
    const purged = await rekey(['purge', '--outbox-days', '3']);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('sessions: 0 deleted');
    const status = await rekey(['outbox']);
    expect(status.stdout).toBe('pending: 0  sent: 0  failed: 0\noldest pending: none\n');
    expect(JSON.parse((await rekey(['outbox', 'status', '--json'])).stdout).counts).toEqual({
      pending: 0,
      sent: 0,
      failed: 0,
    });
    expect((await rekey(['outbox', 'retry'])).stdout).toContain('queued again: 0');
  });

  describe('test-mail', () => {
    let smtp: SmtpSink;
    beforeEach(async () => {
      smtp = await startSmtpSink();
    });
    afterEach(async () => {
      await smtp.close();
    });

    it('sends through the configured SMTP server', async () => {
      const sent = await rekey(['test-mail', '--to', 'ops@example.com'], undefined, {
        SMTP_URL: smtp.url,
      });
      expect(sent.stdout).toBe('sent to ops@example.com\n');
      const [mail] = await smtp.waitForMails(1);
      expect(mail?.envelopeTo).toEqual(['ops@example.com']);
      expect(mail?.parsed.subject).toBe('Test email - BikeShop');
    });

    it('rejects an invalid address', async () => {
      const refused = await rekey(['test-mail', '--to', 'not an address']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('Enter a valid email address.');
    });
  });
});
