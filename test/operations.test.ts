import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { summariseOutbox } from '../src/mail/outbox.ts';
import { issueResetLink } from '../src/operations/issue-reset-link.ts';
import { retryFailedMail } from '../src/operations/outbox.ts';
import { purgeExpired } from '../src/operations/purge.ts';
import { listUserRows, setAccountActive } from '../src/operations/users.ts';
import {
  DEFAULT_PASSWORD,
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';
import { tokenFromMail } from './support/smtp.ts';

const DAY = 24 * 3600 * 1000;
let t: TestService;
afterEach(async () => {
  await t.close();
});

describe('operator commands', () => {
  beforeEach(async () => {
    // The worker's own housekeeping is off here, so only the purge under test deletes.
    t = await startTestService({ HOUSEKEEPING_INTERVAL: '0' });
  });

  it('deactivates an account (signed out, no sign-in, no reset mail) and activates it again', async () => {
    await registerUser(t, { email: 'user@example.com' });
    const login = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });
    const session = login.body.data.token as string;

    expect(await setAccountActive(t.service.deps, 'USER@example.com', false)).toEqual({
      ok: true,
      changed: true,
    });
    expect(await setAccountActive(t.service.deps, 'user@example.com', false)).toEqual({
      ok: true,
      changed: false,
    });
    expect((await listUserRows(t.service.deps))[0]?.state).toBe('inactive');
    expect((await t.get('/auth/me/', { authorization: `Bearer ${session}` })).statusCode).toBe(401);
    const refused = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(refused.statusCode).toBe(400);
    await t.post('/auth/forgot-password/', { email: 'user@example.com' });
    await t.drainMail();
    expect(t.smtp.mails).toHaveLength(0);

    await setAccountActive(t.service.deps, 'user@example.com', true);
    const back = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(back.statusCode).toBe(200);
    expect(await setAccountActive(t.service.deps, 'ghost@example.com', true)).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('issues a working reset link for the support desk, which revokes the older one', async () => {
    await registerUser(t, { email: 'user@example.com' });
    const mailed = await requestResetToken(t, 'user@example.com');
    const issued = await issueResetLink(t.service.deps, 'user@example.com');
    if (!issued.ok) throw new Error('not issued');
    expect(issued.expiresAt).toBe(t.clock.now() + 3600_000);
    const token = new URL(issued.link).searchParams.get('token');
    expect(issued.link.startsWith('http://localhost:3000/reset-password?token=')).toBe(true);
    expect((await t.post('/auth/verify-reset-token/', { token })).statusCode).toBe(200);
    expect((await t.post('/auth/verify-reset-token/', { token: mailed })).statusCode).toBe(400);
    expect(await issueResetLink(t.service.deps, 'ghost@example.com')).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('purges what has expired and keeps what still works', async () => {
    await registerUser(t, { email: 'user@example.com' });
    const oldToken = await requestResetToken(t, 'user@example.com');
    const oldLogin = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(oldLogin.statusCode).toBe(200);
    t.clock.advance(15 * DAY); // past the session lifetime, the token's expiry + a day, the outbox retention
    const freshToken = await requestResetToken(t, 'user@example.com');
    const freshLogin = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });

    const purged = await purgeExpired(t.service.deps.db, t.clock.now(), { outboxRetentionDays: 7 });
    expect(purged).toEqual({
      resetTokens: 1,
      notMeTokens: 0,
      sessions: 1,
      resetRequests: 1,
      outbox: 1,
    });
    expect((await t.post('/auth/verify-reset-token/', { token: freshToken })).statusCode).toBe(200);
    const old = await t.post('/auth/verify-reset-token/', { token: oldToken });
    expect(old.body.data.errors).toEqual({ token: ['Invalid token'] });
    const me = await t.get('/auth/me/', { authorization: `Bearer ${freshLogin.body.data.token}` });
    expect(me.statusCode).toBe(200);
    expect((await summariseOutbox(t.service.deps.db, t.clock.now())).counts.sent).toBe(1);
  });
});

describe('failed mail', () => {
  beforeEach(async () => {
    t = await startTestService({ RESET_TOKEN_TTL: '60' });
  });

  it('shows in the outbox summary and, retried, arrives with a fresh working link', async () => {
    await registerUser(t, { email: 'user@example.com' });
    await t.post('/auth/forgot-password/', { email: 'user@example.com' });
    t.smtp.setAvailable(false);
    await t.drainMail();
    t.clock.advance(120_000);
    await t.drainMail();
    const summary = await summariseOutbox(t.service.deps.db, t.clock.now());
    expect(summary.counts).toEqual({ pending: 0, sent: 0, failed: 1 });
    expect(summary.lastErrors[0]?.error).toMatch(/Service not available/);

    t.smtp.setAvailable(true);
    expect(await retryFailedMail(t.service.deps)).toEqual({ retried: 1, skipped: 0 });
    await t.drainMail();
    const [mail] = await t.smtp.waitForMails(1);
    if (!mail) throw new Error('no mail');
    const verify = await t.post('/auth/verify-reset-token/', { token: tokenFromMail(mail) });
    expect(verify.statusCode).toBe(200);
  });
});

describe('housekeeping in the worker', () => {
  beforeEach(async () => {
    t = await startTestService({ HOUSEKEEPING_INTERVAL: '600' });
  });

  it('purges on its schedule, on the service clock', async () => {
    await registerUser(t, { email: 'user@example.com' });
    await t.post('/auth/login/', { email: 'user@example.com', password: DEFAULT_PASSWORD });
    const first = await t.service.worker.runOnce();
    expect(first.purged?.sessions).toBe(0);

    t.clock.advance(15 * DAY);
    const sessions = () => t.service.deps.db.selectFrom('sessions').selectAll().execute();
    expect(await sessions()).toHaveLength(1);
    const second = await t.service.worker.runOnce();
    expect(second.purged?.sessions).toBe(1);
    expect(await sessions()).toHaveLength(0);

    t.clock.advance(599_000);
    expect((await t.service.worker.runOnce()).purged).toBeUndefined();
    t.clock.advance(1000);
    expect((await t.service.worker.runOnce()).purged).toBeDefined();
  });
});
