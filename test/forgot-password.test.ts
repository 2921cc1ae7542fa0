import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUserActive } from '../src/accounts/users.ts';
import { registerUser, startTestService, type TestService } from './support/service.ts';

let t: TestService;
beforeEach(async () => {
  t = await startTestService();
});
afterEach(async () => {
  await t.close();
});

const forgot = (email: unknown) => t.post('/auth/forgot-password/', { email });

describe('forgot-password', () => {
  it('answers with the guide body', async () => {
    const response = await forgot('user@example.com');
    expect(response.statusCode).toBe(200);
    expect(response.raw).toBe(
      '{"status":true,"status_code":200,"message":"You will receive a password reset link shortly.","data":{}}',
    );
  });

  it('answers byte for byte the same for existing, unknown, inactive and limited accounts', async () => {
    await registerUser(t, { email: 'active@example.com' });
    const inactive = await registerUser(t, { email: 'inactive@example.com' });
    await setUserActive(t.service.deps.db, inactive.id, false, t.clock.now());
    await forgot('limited@example.com');
    await registerUser(t, { email: 'limited@example.com' });
    await forgot('limited@example.com');
    await t.drainMail();

    const answers = await Promise.all(
      [
        'active@example.com',
        'nobody@example.com',
        'inactive@example.com',
        'limited@example.com',
      ].map(forgot),
    );
    const distinct = new Set(answers.map((a) => `${a.statusCode} ${a.raw}`));
    expect(distinct.size).toBe(1);
    const headers = new Set(
      answers.map((a) =>
        JSON.stringify(
          Object.entries(a.headers)
            // The client's own request count differs by arrival order, never by account
            // (the counters are shared rows, so four requests see four different counts).
            .filter(([name]) => name !== 'date' && name !== 'x-ratelimit-remaining')
            .sort(),
        ),
      ),
    );
    expect(headers.size).toBe(1);

    await t.drainMail();
    // Only the active account got mail: one for "limited" earlier, one for "active" now.
    expect(t.smtp.mails.map((m) => m.envelopeTo[0]).sort()).toEqual([
      'active@example.com',
      'limited@example.com',
    ]);
  });

  it('sends to the address stored on the account, never the typed one', async () => {
    await registerUser(t, { email: 'Mike.Smith@Example.com', first_name: 'Mike' });
    await forgot('mike.smith@EXAMPLE.com');
    await t.drainMail();
    const [mail] = await t.smtp.waitForMails(1);
    // The local part is the stored one (domains are case-insensitive; SMTP lower-cases them).
    expect(mail?.envelopeTo).toHaveLength(1);
    expect(mail?.envelopeTo[0]).toMatch(/^Mike\.Smith@example\.com$/i);
    expect(mail?.envelopeTo[0]?.startsWith('Mike.Smith@')).toBe(true);
    expect(mail?.raw).not.toContain('mike.smith@EXAMPLE.com');
  });

  it('does not let a homograph reach another account (CVE-2019-19844)', async () => {
    await registerUser(t, { email: 'mike@example.com' });
    expect((await forgot('mıke@example.com')).statusCode).toBe(200);
    expect((await forgot('MİKE@example.com')).statusCode).toBe(200);
    await t.drainMail();
    expect(t.smtp.mails).toHaveLength(0);
  });

  it('finds the account through NFKC (full-width letters)', async () => {
    await registerUser(t, { email: 'mike@example.com' });
    await forgot('ｍｉｋｅ@example.com');
    await t.drainMail();
    expect((await t.smtp.waitForMails(1))[0]?.envelopeTo).toEqual(['mike@example.com']);
  });

  it('answers before any mail work: the request is recorded and the mail follows', async () => {
    await registerUser(t, { email: 'user@example.com' });
    await forgot('user@example.com');
    expect(t.smtp.mails).toHaveLength(0);
    const pending = await t.service.deps.db.selectFrom('reset_requests').selectAll().execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]?.processed_at).toBeNull();
    await t.drainMail();
    await t.smtp.waitForMails(1);
  });

  it.each([
    [undefined, 'This field is required.'],
    [null, 'This field is required.'],
    ['', 'This field is required.'],
    ['not-an-email', 'Enter a valid email address.'],
    [['user@example.com'], 'Enter a valid email address.'],
    [{ email: 'user@example.com' }, 'Enter a valid email address.'],
    [42, 'Enter a valid email address.'],
    ['user@example.com\r\nBcc: victim@example.com', 'Enter a valid email address.'],
    ['user@example.com\n', 'Enter a valid email address.'],
  ])('rejects %j with the guide error', async (email, message) => {
    const response = await forgot(email);
    expect(response.body).toEqual({
      status: false,
      status_code: 400,
      message: 'Invalid email address',
      data: { errors: { email: [message] } },
    });
  });

  it('mails a link built from FRONTEND_URL only, whatever the request headers say', async () => {
    const other = await startTestService({ FRONTEND_URL: 'https://shop.example.com/' });
    try {
      await registerUser(other, { email: 'user@example.com' });
      await other.post(
        '/auth/forgot-password/',
        { email: 'user@example.com' },
        {
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
          origin: 'https://evil.example',
        },
      );
      await other.drainMail();
      const [mail] = await other.smtp.waitForMails(1);
      expect(mail?.parsed.text).toMatch(
        /https:\/\/shop\.example\.com\/reset-password\?token=[A-Za-z0-9_-]{43}/,
      );
      expect(mail?.raw).not.toContain('evil.example');
    } finally {
      await other.close();
    }
  });
});
