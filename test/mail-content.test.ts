import { render } from '@react-email/render';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { composeMail, describeDuration } from '../src/mail/compose.ts';
import { PasswordChangedEmail } from '../src/mail/templates/password-changed-email.tsx';
import { createConsoleTransport, createSmtpTransport } from '../src/mail/transport.ts';
import { outboxRow } from './support/fixtures.ts';
import {
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';
import { type ReceivedMail, startSmtpSink, tokenFromMail } from './support/smtp.ts';

/** An outbox row as the worker claims it: a reset mail for Ada with this token. */
const queuedResetMail = (token: string) =>
  outboxRow('password_reset', { token, name: 'Ada', expiresAt: 0 });

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function resetMailFor(
  env: Record<string, string>,
  user: { email: string; first_name?: string },
  typed = user.email,
): Promise<ReceivedMail> {
  t = await startTestService(env);
  await registerUser(t, user);
  await requestResetToken(t, typed);
  const mail = t.smtp.mails.at(-1);
  if (!mail) throw new Error('no mail');
  return mail;
}

/** The header block of the raw message, unfolded, one header per line. */
function headerLines(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
}

describe('the reset email', () => {
  it('is a multipart/alternative message from MAIL_FROM to the stored address, with Message-ID and Date', async () => {
    const mail = await resetMailFor(
      { MAIL_FROM: 'Shop Robot <robot@shop.example>' },
      { email: 'Ada.Lovelace@example.com', first_name: 'Ada' },
      'ADA.LOVELACE@EXAMPLE.COM',
    );
    const { parsed } = mail;
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(parsed.messageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
    const lines = headerLines(mail.raw);
    expect(lines.filter((line) => /^message-id:/i.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /^date:/i.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /^to:/i.test(line))).toEqual(['To: Ada.Lovelace@example.com']);
    expect(parsed.date).toBeInstanceOf(Date);
    expect(Number.isNaN(parsed.date?.getTime())).toBe(false);
    expect(parsed.from?.value).toEqual([{ name: 'Shop Robot', address: 'robot@shop.example' }]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((a) => a?.value.map((v) => v.address))).toEqual(['Ada.Lovelace@example.com']);
    expect(parsed.cc).toBeUndefined();
    expect(parsed.bcc).toBeUndefined();
    expect(mail.envelopeTo).toEqual(['Ada.Lovelace@example.com']);
    expect(mail.envelopeFrom).toBe('robot@shop.example');
    expect(parsed.html).toBeTruthy();
    expect(parsed.text).toBeTruthy();
  });

  it('has the subject, greeting, button, copyable link, expiry, security notice and branding', async () => {
    const mail = await resetMailFor(
      { APP_NAME: 'BikeShop', FRONTEND_URL: 'https://shop.example/app' },
      { email: 'ada@example.com', first_name: 'Ada' },
    );
    const token = tokenFromMail(mail);
    const link = `https://shop.example/app/reset-password?token=${token}`;
    const { subject, text, html } = mail.parsed;
    expect(subject).toBe('Password Reset Request - BikeShop');

    expect(text).toContain('Hi Ada,');
    expect(text).toContain(link);
    expect(text).toContain('expires in 1 hour');
    expect(text).toMatch(/did not ask to reset your password, you can ignore this email/);
    expect(text).toContain('your password stays the same');
    expect(text).toContain('BikeShop');

    const page = html as string;
    expect(page).toContain('Hi <!-- -->Ada<!-- -->,');
    // The button and the copy/paste text both carry the link.
    const anchors = [...page.matchAll(/<a\b[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)];
    const toLink = anchors.filter((a) => a[1]?.replaceAll('&amp;', '&') === link);
    expect(toLink.map((a) => a[2]?.replace(/<[^>]+>|&#\d+;/g, '').trim())).toEqual([
      'Reset password',
      link,
    ]);
    expect(page).toContain('1 hour');
    expect(page).toContain('your password stays the same');
    expect(page).toContain('BikeShop');
  });

  it('says the expiry the configured lifetime gives, and brands with APP_NAME', async () => {
    const mail = await resetMailFor(
      { RESET_TOKEN_TTL: '1800', APP_NAME: 'Velo Club' },
      { email: 'ada@example.com', first_name: 'Ada' },
    );
    expect(mail.parsed.subject).toBe('Password Reset Request - Velo Club');
    expect(mail.parsed.text).toContain('expires in 30 minutes');
    expect(mail.parsed.text).toContain('your Velo Club account');
  });

  it('has a hidden inbox preview padded with &zwnj;&nbsp; pairs, and none of it in the text part', async () => {
    const mail = await resetMailFor({ APP_NAME: 'Velo Club' }, { email: 'ada@example.com' });
    const html = String(mail.parsed.html);
    const preview =
      /<div style="display:none;[^"]*" data-skip-in-text="true">([^<]*)<div>([^<]*)<\/div><\/div>/.exec(
        html,
      );
    expect(preview?.[1]).toBe('Reset your Velo Club password');
    const shown = preview?.[1]?.length ?? 0;
    expect(preview?.[2]).toBe('\u200C\u00A0'.repeat(150 - shown));
    expect(mail.parsed.text).not.toContain('Reset your Velo Club password');
    expect(mail.parsed.text).not.toMatch(/[\u200B-\u200F\uFEFF]/);
    // React Email's seven-character filler made this message 13 KB.
    expect(Buffer.byteLength(mail.raw)).toBeLessThan(9000);
  });

  it('greets by the local part of the address when there is no first name', async () => {
    const mail = await resetMailFor({}, { email: 'grace.hopper@example.com' });
    expect(mail.parsed.text).toContain('Hi grace.hopper,');
  });

  it('cannot be given an extra header or recipient through a first name with CR/LF', async () => {
    const mail = await resetMailFor(
      {},
      { email: 'eve@example.com', first_name: 'Eve\r\nBcc: thief@evil.test\r\nX-Injected: 1' },
    );
    expect(mail.envelopeTo).toEqual(['eve@example.com']);
    expect(mail.parsed.bcc).toBeUndefined();
    expect(mail.parsed.headers.has('x-injected')).toBe(false);
    expect(headerLines(mail.raw).some((line) => /^(bcc|x-injected):/i.test(line))).toBe(false);
    expect(mail.raw).not.toMatch(/\r?\nBcc:/i);
    expect(mail.parsed.text).toContain('Hi Eve Bcc: thief@evil.test X-Injected: 1,');
  });

  it('shows a first name with markup as text, not as HTML', async () => {
    const mail = await resetMailFor(
      {},
      { email: 'eve@example.com', first_name: '<a href="https://evil.test">Eve</a>' },
    );
    expect(mail.parsed.html).not.toContain('evil.test"');
    expect(mail.parsed.html).toContain('&lt;a href=&quot;https://evil.test&quot;&gt;Eve&lt;/a&gt;');
  });

  it('cannot be given an extra header through an APP_NAME with CR/LF', async () => {
    expect(() => loadConfig({ APP_NAME: 'Shop\r\nBcc: thief@evil.test' })).toThrow(/^APP_NAME:/);

    // Even a Config built without loadConfig cannot break out of the Subject line.
    const smtp = await startSmtpSink();
    const config = { ...loadConfig({}), appName: 'Shop\r\nBcc: thief@evil.test' };
    const transport = createSmtpTransport(smtp.url);
    try {
      const composed = await composeMail(queuedResetMail('x'.repeat(43)), config);
      await transport.send({ from: config.mailFrom, to: 'ada@example.com', ...composed });
      const [mail] = await smtp.waitForMails(1);
      expect(mail?.envelopeTo).toEqual(['ada@example.com']);
      expect(mail?.parsed.bcc).toBeUndefined();
      expect(headerLines(mail?.raw ?? '').some((line) => /^bcc:/i.test(line))).toBe(false);
      expect(mail?.parsed.subject).toBe('Password Reset Request - Shop Bcc: thief@evil.test');
    } finally {
      transport.close();
      await smtp.close();
    }
  });
});

describe('the password-changed email', () => {
  it('says when, that every session was signed out, and what to do if it was not you', async () => {
    t = await startTestService({ FRONTEND_URL: 'https://shop.example' });
    await registerUser(t, { email: 'ada@example.com', first_name: 'Ada' });
    const token = await requestResetToken(t, 'ada@example.com');
    const reset = await t.post('/auth/reset-password/', {
      token,
      new_password: 'newpassword123',
      confirm_password: 'newpassword123',
    });
    expect(reset.statusCode).toBe(200);
    await t.drainMail();
    const [, mail] = await t.smtp.waitForMails(2);
    const parsed = mail?.parsed;
    expect(parsed?.subject).toBe('Your password was changed - BikeShop');
    expect(parsed?.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(parsed?.text).toContain('Hi Ada,');
    expect(parsed?.text).toContain(`changed on ${new Date(t.clock.now()).toUTCString()}`);
    expect(parsed?.text).toContain('Every session was signed out');
    expect(parsed?.text).toContain('If this was not you');
    expect(parsed?.text).toContain('https://shop.example/forgot-password');
    expect(parsed?.html).toContain('href="https://shop.example/forgot-password"');
    // The "this wasn't me" kill switch: one link, in both parts.
    expect(parsed?.html).toMatch(
      /href="https:\/\/shop\.example\/not-me\?token=[A-Za-z0-9_-]{43}"[^>]*>.*This wasn/s,
    );
    expect(parsed?.text).toMatch(/https:\/\/shop\.example\/not-me\?token=[A-Za-z0-9_-]{43}/);
  });

  it('shows a "This wasn\'t me" button only when given notMeUrl', async () => {
    const props = {
      appName: 'BikeShop',
      name: 'Ada',
      changedAt: 'Tue, 24 Nov 2026 12:00:00 GMT',
      forgotPasswordUrl: 'https://shop.example/forgot-password',
    };
    const without = await render(createElement(PasswordChangedEmail, props));
    const withLink = await render(
      createElement(PasswordChangedEmail, {
        ...props,
        notMeUrl: 'https://shop.example/not-me?x=1',
      }),
    );
    expect(without).not.toContain('not-me');
    expect(withLink).toMatch(/<a\b[^>]*href="https:\/\/shop\.example\/not-me\?x=1"[^>]*>/);
    expect(withLink.replace(/<[^>]+>/g, '')).toMatch(/This wasn(&#x27;|')t me/);
  });
});

describe('the console transport', () => {
  it('prints the whole text part, reset link included', async () => {
    const config = loadConfig({});
    const token = 'KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M';
    const composed = await composeMail(queuedResetMail(token), config);
    const printed: string[] = [];
    await createConsoleTransport((chunk) => printed.push(chunk)).send({
      from: config.mailFrom,
      to: 'ada@example.com',
      ...composed,
    });
    const output = printed.join('');
    expect(output).toContain('Subject: Password Reset Request - BikeShop');
    expect(output).toContain(composed.text.trimEnd());
    expect(output).toContain(`http://localhost:3000/reset-password?token=${token}`);
  });
});

describe('describeDuration', () => {
  it('says a token lifetime in words', () => {
    expect(describeDuration(3600)).toBe('1 hour');
    expect(describeDuration(7200)).toBe('2 hours');
    expect(describeDuration(1800)).toBe('30 minutes');
    expect(describeDuration(60)).toBe('1 minute');
    expect(describeDuration(86400)).toBe('1 day');
    expect(describeDuration(5400)).toBe('90 minutes');
    expect(describeDuration(90)).toBe('2 minutes');
  });
});
