import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkResetToken } from '../src/reset/reset-tokens.ts';
import {
  DEFAULT_PASSWORD,
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';
import { storedText } from './support/stored-text.ts';
import { isSelectFrom, watchQueries } from './support/watch-queries.ts';

let t: TestService;
beforeEach(async () => {
  t = await startTestService({ RATE_LIMIT_ENABLED: 'false' });
  await registerUser(t, { email: 'user@example.com', first_name: 'Ada' });
});
afterEach(async () => {
  await t.close();
});

const reset = (token: string, password = 'newpassword123', confirm = password) =>
  t.post('/auth/reset-password/', { token, new_password: password, confirm_password: confirm });

describe('reset tokens', () => {
  it('are 32 random bytes in base64url and only their SHA-256 is stored', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = await t.service.deps.db.selectFrom('password_reset_tokens').selectAll().execute();
    expect(rows.map((row) => row.token_hash)).toEqual([
      createHash('sha256').update(token).digest('hex'),
    ]);
    // Nowhere in the database (on SQLite: the file), the outbox included once the mail has gone.
    const bytes = await storedText(t);
    expect(bytes).toContain(createHash('sha256').update(token).digest('hex'));
    expect(bytes).not.toContain(token);
  });

  it('expire after RESET_TOKEN_TTL', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    t.clock.advance(3600 * 1000 - 1);
    expect((await t.post('/auth/verify-reset-token/', { token })).statusCode).toBe(200);
    t.clock.advance(1);
    const expired = await t.post('/auth/verify-reset-token/', { token });
    expect(expired.body).toEqual({
      status: false,
      status_code: 400,
      message: 'Invalid or expired token',
      data: { errors: { token: ['Token has expired or already been used'] } },
    });
    expect((await reset(token)).body.data.errors?.token).toEqual([
      'Token has expired or already been used',
    ]);
  });

  it('follow a configured lifetime', async () => {
    const short = await startTestService({ RESET_TOKEN_TTL: '120', RATE_LIMIT_ENABLED: 'false' });
    try {
      await registerUser(short, { email: 'user@example.com' });
      const token = await requestResetToken(short, 'user@example.com');
      short.clock.advance(120 * 1000);
      expect((await short.post('/auth/verify-reset-token/', { token })).statusCode).toBe(400);
      expect(short.smtp.mails[0]?.parsed.text).toContain('2 minutes');
    } finally {
      await short.close();
    }
  });

  it('answer unknown and missing tokens with the guide messages', async () => {
    const unknown = await t.post('/auth/verify-reset-token/', {
      token: 'KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M',
    });
    expect(unknown.body).toEqual({
      status: false,
      status_code: 400,
      message: 'Invalid or expired token',
      data: { errors: { token: ['Invalid token'] } },
    });
    const missing = await t.post('/auth/verify-reset-token/', {});
    expect(missing.body.data.errors).toEqual({ token: ['This field is required.'] });
    const notString = await t.post('/auth/verify-reset-token/', { token: ['x'] });
    expect(notString.body.data.errors).toEqual({ token: ['Invalid token'] });
  });

  it('are not used up by verifying, however often', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    for (let i = 0; i < 3; i++)
      expect((await t.post('/auth/verify-reset-token/', { token })).statusCode).toBe(200);
    expect((await reset(token)).statusCode).toBe(200);
  });

  it('work once', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    expect((await reset(token)).statusCode).toBe(200);
    const again = await reset(token, 'anotherpassword456');
    expect(again.body).toEqual({
      status: false,
      status_code: 400,
      message: 'Password reset failed',
      data: { errors: { token: ['Token has expired or already been used'] } },
    });
  });

  it('are consumed atomically: of N concurrent resets exactly one succeeds', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => reset(token, `concurrent pass ${i}`)),
    );
    const succeeded = results.filter((r) => r.statusCode === 200);
    expect(succeeded).toHaveLength(1);
    for (const failed of results.filter((r) => r.statusCode !== 200)) {
      expect(failed.body.data.errors?.token).toEqual(['Token has expired or already been used']);
    }
    const winner = results.indexOf(succeeded[0] as (typeof results)[number]);
    const login = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: `concurrent pass ${winner}`,
    });
    expect(login.statusCode).toBe(200);
  });

  it('revoke the older ones when a new one is issued', async () => {
    const first = await requestResetToken(t, 'user@example.com');
    const second = await requestResetToken(t, 'user@example.com');
    expect(
      (await t.post('/auth/verify-reset-token/', { token: first })).body.data.errors?.token,
    ).toEqual(['Token has expired or already been used']);
    expect((await t.post('/auth/verify-reset-token/', { token: second })).statusCode).toBe(200);
  });

  it('looked up together share one query, and each gets its own answer', async () => {
    await registerUser(t, { email: 'second@example.com' });
    const revoked = await requestResetToken(t, 'user@example.com');
    const valid = await requestResetToken(t, 'user@example.com');
    const used = await requestResetToken(t, 'second@example.com');
    expect((await reset(used)).statusCode).toBe(200);
    const { plugin, seen } = watchQueries();
    const db = t.service.deps.db.withPlugin(plugin);
    const tokens = [valid, 'unknown'.repeat(6), revoked, used, valid];
    const checks = await Promise.all(
      tokens.map((token) => checkResetToken(db, token, t.clock.now())),
    );
    expect(checks.map((check) => (check.ok ? check.user.email : check.reason))).toEqual([
      'user@example.com',
      'invalid',
      'expired',
      'expired',
      'user@example.com',
    ]);
    expect(seen.filter((node) => isSelectFrom(node, 'password_reset_tokens'))).toHaveLength(1);
  });

  it("are checked without reading the account's password hash", async () => {
    const token = await requestResetToken(t, 'user@example.com');
    const check = await checkResetToken(t.service.deps.db, token, t.clock.now());
    expect(check.ok && Object.keys(check.user).sort()).toEqual([
      'email',
      'first_name',
      'id',
      'is_active',
      'last_name',
      'locked_at',
    ]);
    expect(check.ok && check.user.first_name).toBe('Ada');
  });

  it('survive a failed validation, so the user can fix the password and resubmit', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    const weak = await reset(token, '123', '123');
    expect(weak.statusCode).toBe(400);
    expect(weak.body.data.errors?.new_password?.[0]).toBe(
      'This password is too short. It must contain at least 8 characters.',
    );
    const mismatch = await reset(token, 'newpassword123', 'newpassword124');
    expect(mismatch.body.data.errors).toEqual({ confirm_password: ['Passwords do not match'] });
    expect((await reset(token)).statusCode).toBe(200);
  });

  it('report every applicable field error at once', async () => {
    const response = await t.post('/auth/reset-password/', { token: 'nope', new_password: '1234' });
    expect(response.body).toEqual({
      status: false,
      status_code: 400,
      message: 'Password reset failed',
      data: {
        errors: {
          token: ['Invalid token'],
          new_password: [
            'This password is too short. It must contain at least 8 characters.',
            'This password is too common.',
            'This password is entirely numeric.',
          ],
          confirm_password: ['This field is required.'],
        },
      },
    });
    const empty = await t.post('/auth/reset-password/', {});
    expect(empty.body.data.errors).toEqual({
      token: ['This field is required.'],
      new_password: ['This field is required.'],
      confirm_password: ['This field is required.'],
    });
  });

  it('check similarity against the account the token belongs to', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    const response = await reset(token, 'user@example.com!');
    expect(response.body.data.errors?.new_password).toEqual([
      'The password is too similar to the email address.',
    ]);
  });

  it('on success revoke every session and every other token, and notify the account', async () => {
    const sessions = await Promise.all(
      [1, 2].map(() =>
        t.post('/auth/login/', { email: 'user@example.com', password: DEFAULT_PASSWORD }),
      ),
    );
    const token = await requestResetToken(t, 'user@example.com');
    expect((await reset(token)).statusCode).toBe(200);
    for (const session of sessions) {
      const me = await t.get('/auth/me/', { authorization: `Bearer ${session.body.data.token}` });
      expect(me.statusCode).toBe(401);
    }
    await t.drainMail();
    const mails = await t.smtp.waitForMails(2);
    expect(mails[1]?.parsed.subject).toContain('password was changed');
    expect(mails[1]?.envelopeTo).toEqual(['user@example.com']);
  });

  it('compare the confirmation after NFKC, so the same password typed two ways matches', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    const response = await reset(token, 'Ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓ', 'Full width pass');
    expect(response.statusCode).toBe(200);
  });

  it('normalise the new password (NFKC), so it works typed on another keyboard', async () => {
    const token = await requestResetToken(t, 'user@example.com');
    expect((await reset(token, 'Ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓ')).statusCode).toBe(200);
    expect(
      (await t.post('/auth/login/', { email: 'user@example.com', password: 'Full width pass' }))
        .statusCode,
    ).toBe(200);
  });
});
