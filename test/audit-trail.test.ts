import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyResetToken } from '../src/reset/verify-reset-token.ts';
import {
  DEFAULT_PASSWORD,
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';
import { storedText } from './support/stored-text.ts';
import { isInsertInto, watchQueries } from './support/watch-queries.ts';

let t: TestService;
beforeEach(async () => {
  t = await startTestService();
});
afterEach(async () => {
  await t.close();
});

const NEW_PASSWORD = 'a brand new secret 42';
const WRONG_PASSWORD = 'guessing wildly 17';
const UNKNOWN_TYPED = 'Stranger.Typed@Elsewhere.example';

async function auditRows() {
  return t.service.deps.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
}

const databaseBytes = () => storedText(t);

describe('the audit trail and the logs', () => {
  it('records the security events of a whole flow, and no secret anywhere', async () => {
    const user = await registerUser(t, { email: 'owner@example.com' });
    expect((await t.post('/auth/forgot-password/', { email: UNKNOWN_TYPED })).statusCode).toBe(200);
    const token = await requestResetToken(t, 'owner@example.com');
    expect((await t.post('/auth/verify-reset-token/', { token })).statusCode).toBe(200);
    const wrong = await t.post('/auth/verify-reset-token/', { token: `${token.slice(0, -1)}x` });
    expect(wrong.statusCode).toBe(400);
    const reset = await t.post('/auth/reset-password/', {
      token,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(reset.statusCode).toBe(200);
    expect(
      (await t.post('/auth/login/', { email: 'owner@example.com', password: NEW_PASSWORD }))
        .statusCode,
    ).toBe(200);
    const failed = await t.post('/auth/login/', {
      email: 'owner@example.com',
      password: WRONG_PASSWORD,
    });
    expect(failed.statusCode).toBe(400);
    await t.post('/auth/login/', { email: UNKNOWN_TYPED, password: WRONG_PASSWORD });
    await t.drainMail(); // the password-changed mail: its "not me" token leaves the outbox
    await t.smtp.waitForMails(2);
    const notMe = /not-me\?token=([A-Za-z0-9_-]{43})/.exec(t.smtp.mails[1]?.parsed.text ?? '')?.[1];
    expect(notMe).toBeDefined();

    const rows = await auditRows();
    const types = rows.map((row) => row.event_type);
    expect(types.filter((type) => type === 'reset_requested')).toHaveLength(1);
    expect(rows.find((row) => row.event_type === 'reset_requested')?.user_id).toBe(user.id);
    for (const type of [
      'email_sent',
      'verify_failed',
      'password_changed',
      'sessions_revoked',
      'login_failed',
    ]) {
      expect(types, type).toContain(type);
    }
    expect(rows.filter((row) => row.event_type === 'email_sent')).toHaveLength(2);
    const loginFailures = rows.filter((row) => row.event_type === 'login_failed');
    expect(loginFailures.map((row) => row.user_id)).toEqual([user.id, null]);
    expect(loginFailures.every((row) => row.client_ip === '127.0.0.1')).toBe(true);
    expect(rows.find((row) => row.event_type === 'password_changed')?.user_agent).toBe(
      'lightMyRequest',
    );

    const secrets = [
      token,
      notMe as string,
      DEFAULT_PASSWORD,
      NEW_PASSWORD,
      WRONG_PASSWORD,
      UNKNOWN_TYPED,
      UNKNOWN_TYPED.toLowerCase(),
    ];
    const logs = t.logs.join('');
    const audit = JSON.stringify(rows);
    const file = await databaseBytes();
    for (const secret of secrets) {
      expect(logs.includes(secret), `logs hold ${secret}`).toBe(false);
      expect(audit.includes(secret), `audit holds ${secret}`).toBe(false);
      expect(file.includes(secret), `the database file holds ${secret}`).toBe(false);
    }
  });

  it('keeps the reset token in the outbox only until its mail is sent', async () => {
    await registerUser(t, { email: 'owner@example.com' });
    await t.post('/auth/forgot-password/', { email: 'owner@example.com' });
    t.smtp.setAvailable(false);
    await t.drainMail();
    const pending = await t.service.deps.db.selectFrom('outbox').select('payload').execute();
    const token = (JSON.parse(pending[0]?.payload ?? '{}') as { token?: string }).token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    t.smtp.setAvailable(true);
    t.clock.advance(60_000);
    await t.drainMail();
    await t.smtp.waitForMails(1);
    expect((await databaseBytes()).includes(token as string)).toBe(false);
  });

  it('puts a request id on every request line and the mail or request id on worker lines', async () => {
    await registerUser(t, { email: 'owner@example.com' });
    await requestResetToken(t, 'owner@example.com');
    const lines = t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = lines.filter((line) => 'req' in line || 'res' in line);
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => typeof line.reqId === 'string')).toBe(true);
    const workerLines = lines.filter(
      (line) => line.component === 'mail-worker' && line.msg !== 'housekeeping done',
    );
    expect(workerLines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['reset request handled', 'mail sent']),
    );
    for (const line of workerLines) {
      expect(line.mailId ?? line.resetRequestId, JSON.stringify(line)).toBeDefined();
    }
  });

  it('records failed verifies made together with one insert, one row per request', async () => {
    const { plugin, seen } = watchQueries();
    const deps = { ...t.service.deps, db: t.service.deps.db.withPlugin(plugin) };
    const context = { clientIp: '203.0.113.5', userAgent: 'test' };
    const tokens = Array.from({ length: 5 }, (_, i) => `${'x'.repeat(42)}${i}`);
    const results = await Promise.all(
      tokens.map((token) => verifyResetToken(deps, token, context)),
    );
    expect(results).toEqual(Array(5).fill({ ok: false, reason: 'invalid' }));
    expect(seen.filter((node) => isInsertInto(node, 'audit_events'))).toHaveLength(1);
    const rows = (await auditRows()).filter((row) => row.event_type === 'verify_failed');
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.client_ip)).toEqual(Array(5).fill('203.0.113.5'));
    // A request after that turn gets its own insert, and its own row.
    await verifyResetToken(deps, 'y'.repeat(43), context);
    expect(seen.filter((node) => isInsertInto(node, 'audit_events'))).toHaveLength(2);
    expect((await auditRows()).filter((row) => row.event_type === 'verify_failed')).toHaveLength(6);
  });
});
