import { afterEach, describe, expect, it } from 'vitest';
import { setUserActive } from '../src/accounts/users.ts';
import { registerUser, startTestService, type TestService } from './support/service.ts';

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Each request from its own address, so even the per-IP rate-limit headers line up. */
async function forgotRaw(service: TestService, email: string, ip: string) {
  const response = await service.inject({
    method: 'POST',
    url: '/api/auth/forgot-password/',
    payload: { email },
    remoteAddress: ip,
  });
  const { date: _date, ...headers } = response.headers;
  return { statusCode: response.statusCode, headers, body: response.rawPayload };
}

describe('forgot-password tells nothing', () => {
  it('answers byte for byte the same for existing, unknown, inactive and rate-limited addresses', async () => {
    t = await startTestService();
    await registerUser(t, { email: 'ada@example.com', first_name: 'Ada' });
    const inactive = await registerUser(t, { email: 'ina@example.com' });
    await setUserActive(t.service.deps.db, inactive.id, false, t.clock.now());

    const existing = await forgotRaw(t, 'ada@example.com', '192.0.2.1');
    await t.drainMail();
    await t.smtp.waitForMails(1);
    const limited = await forgotRaw(t, 'ada@example.com', '192.0.2.2');
    const unknown = await forgotRaw(t, 'nobody@example.com', '192.0.2.3');
    const disabled = await forgotRaw(t, 'ina@example.com', '192.0.2.4');
    await t.drainMail();

    expect(existing.statusCode).toBe(200);
    expect(JSON.parse(existing.body.toString('utf8'))).toEqual({
      status: true,
      status_code: 200,
      message: 'You will receive a password reset link shortly.',
      data: {},
    });
    for (const other of [limited, unknown, disabled]) {
      expect(other.statusCode).toBe(existing.statusCode);
      expect(other.body.equals(existing.body)).toBe(true);
      expect(other.headers).toEqual(existing.headers);
    }
    // Only the first request was for a mail that may go out.
    expect(t.smtp.mails.map((mail) => mail.envelopeTo)).toEqual([['ada@example.com']]);
  });

  it('sends nothing for a homograph of a registered address (CVE-2019-19844)', async () => {
    t = await startTestService();
    await registerUser(t, { email: 'mike@example.com' });
    const homograph = await forgotRaw(t, 'mıke@example.com', '192.0.2.1');
    const real = await forgotRaw(t, 'nobody@example.com', '192.0.2.2');
    expect(homograph.body.equals(real.body)).toBe(true);
    await t.drainMail();
    expect(t.smtp.mails).toHaveLength(0);

    // The account itself still gets its mail, at the stored address, however it is typed.
    await forgotRaw(t, 'MIKE@EXAMPLE.COM', '192.0.2.3');
    await t.drainMail();
    const [mail] = await t.smtp.waitForMails(1);
    expect(mail?.envelopeTo).toEqual(['mike@example.com']);
    expect(t.smtp.mails.flatMap((m) => m.envelopeTo)).not.toContain('mıke@example.com');
  });
});
