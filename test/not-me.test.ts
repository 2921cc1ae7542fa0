import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD,
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';
import type { ReceivedMail } from './support/smtp.ts';

let t: TestService;
beforeEach(async () => {
  t = await startTestService();
});
afterEach(async () => {
  await t.close();
});

const NOT_ME_DONE =
  'Your account is locked and every session was signed out. We sent you an email with a link to choose a new password.';

function notMeTokenFrom(mail: ReceivedMail): string {
  const match = /\/not-me\?token=([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '');
  if (!match?.[1]) throw new Error('no not-me link in the mail');
  return match[1];
}

/** Registers, resets the password by mail, and returns the "this wasn't me" token. */
async function changePassword(email: string, newPassword = 'attacker chose this') {
  const token = await requestResetToken(t, email);
  const reset = await t.post('/auth/reset-password/', {
    token,
    new_password: newPassword,
    confirm_password: newPassword,
  });
  expect(reset.statusCode).toBe(200);
  const before = t.smtp.mails.length;
  await t.drainMail();
  const [changed] = (await t.smtp.waitForMails(before + 1)).slice(-1);
  if (!changed) throw new Error('no password-changed mail');
  expect(changed.parsed.subject).toBe('Your password was changed - BikeShop');
  return { notMe: notMeTokenFrom(changed), mail: changed };
}

const login = (password: string) =>
  t.post('/auth/login/', { email: 'victim@example.com', password });

describe('"this wasn\'t me"', () => {
  it('puts the link in both parts of the password-changed mail', async () => {
    await registerUser(t, { email: 'victim@example.com' });
    const { notMe, mail } = await changePassword('victim@example.com');
    expect(mail.parsed.text).toContain(`http://localhost:3000/not-me?token=${notMe}`);
    expect(String(mail.parsed.html)).toContain(`http://localhost:3000/not-me?token=${notMe}`);
  });

  it('signs every session out, blocks sign-in, and mails a fresh reset link at once', async () => {
    await registerUser(t, { email: 'victim@example.com' });
    const { notMe } = await changePassword('victim@example.com');
    const attacker = await login('attacker chose this');
    expect(attacker.statusCode).toBe(200);
    const session = attacker.body.data.token as string;

    const before = t.smtp.mails.length;
    const response = await t.post('/auth/not-me/', { token: notMe });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      status: true,
      status_code: 200,
      message: NOT_ME_DONE,
      data: {},
    });

    const me = await t.get('/auth/me/', { authorization: `Bearer ${session}` });
    expect(me.statusCode).toBe(401);
    const logout = await t.post('/auth/logout/', {}, { authorization: `Bearer ${session}` });
    expect(logout.statusCode).toBe(401);
    const blocked = await login('attacker chose this');
    expect(blocked.statusCode).toBe(400);
    expect(blocked.body.data.errors).toEqual({
      non_field_errors: ['Unable to log in with provided credentials.'],
    });

    // The fresh link arrives although a reset mail went out a moment ago (cooldown bypassed).
    await t.drainMail();
    const [resetMail] = (await t.smtp.waitForMails(before + 1)).slice(-1);
    expect(resetMail?.parsed.subject).toBe('Password Reset Request - BikeShop');
    expect(resetMail?.envelopeTo).toEqual(['victim@example.com']);
    const fresh = /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(
      resetMail?.parsed.text ?? '',
    )?.[1];
    expect(fresh).toBeDefined();

    // The owner resets: the account is unlocked and only the owner's password works.
    const reset = await t.post('/auth/reset-password/', {
      token: fresh,
      new_password: 'owner takes it back',
      confirm_password: 'owner takes it back',
    });
    expect(reset.statusCode).toBe(200);
    expect((await login('owner takes it back')).statusCode).toBe(200);
    expect((await login('attacker chose this')).statusCode).toBe(400);
  });

  it('locks the account once when two clicks race', async () => {
    await registerUser(t, { email: 'victim@example.com' });
    const { notMe } = await changePassword('victim@example.com');
    const answers = await Promise.all([
      t.post('/auth/not-me/', { token: notMe }),
      t.post('/auth/not-me/', { token: notMe }),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 400]);
    const events = await t.service.deps.db
      .selectFrom('audit_events')
      .select('event_type')
      .where('event_type', '=', 'kill_switch_used')
      .execute();
    expect(events).toHaveLength(1);
    const metrics = await t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('rekey_kill_switch_used_total 1');
  });

  it('is used by the POST alone, once', async () => {
    await registerUser(t, { email: 'victim@example.com' });
    const { notMe } = await changePassword('victim@example.com');
    expect((await t.post('/auth/not-me/', { token: notMe })).statusCode).toBe(200);
    const again = await t.post('/auth/not-me/', { token: notMe });
    expect(again.body).toEqual({
      status: false,
      status_code: 400,
      message: 'Invalid or expired link',
      data: { errors: { token: ['Token has expired or already been used'] } },
    });
  });

  it('answers unknown, missing and expired tokens in the envelope', async () => {
    const unknown = await t.post('/auth/not-me/', {
      token: 'KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.data.errors).toEqual({ token: ['Invalid token'] });
    const missing = await t.post('/auth/not-me/', {});
    expect(missing.body.message).toBe('Invalid or expired link');
    expect(missing.body.data.errors).toEqual({ token: ['This field is required.'] });

    await registerUser(t, { email: 'victim@example.com' });
    const { notMe } = await changePassword('victim@example.com');
    t.clock.advance(7 * 24 * 3600 * 1000);
    const expired = await t.post('/auth/not-me/', { token: notMe });
    expect(expired.body.data.errors).toEqual({ token: ['Token has expired or already been used'] });
    expect((await login('attacker chose this')).statusCode).toBe(200);
  });

  it('keeps the old password out after the lock', async () => {
    await registerUser(t, { email: 'victim@example.com' });
    const { notMe } = await changePassword('victim@example.com');
    await t.post('/auth/not-me/', { token: notMe });
    expect((await login(DEFAULT_PASSWORD)).statusCode).toBe(400);
  });
});
