import { afterEach, describe, expect, it } from 'vitest';
import { registerUser, startTestService, type TestService } from './support/service.ts';

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;

async function forgot(service: TestService, email = 'ada@example.com') {
  const response = await service.post('/auth/forgot-password/', { email });
  await service.drainMail();
  return response;
}

describe('per account, silently', () => {
  it('sends no second mail within the cooldown, with the very same answer', async () => {
    t = await startTestService();
    await registerUser(t, { email: 'ada@example.com' });
    const first = await forgot(t);
    await t.smtp.waitForMails(1);

    t.clock.advance(59 * SECOND);
    const second = await forgot(t);
    expect(second.statusCode).toBe(200);
    expect(second.raw).toBe(first.raw);
    expect(t.smtp.mails).toHaveLength(1);

    t.clock.advance(2 * SECOND);
    await forgot(t);
    await t.smtp.waitForMails(2);
  });

  it('sends at most five mails an hour, then again once the hour has passed', async () => {
    t = await startTestService();
    await registerUser(t, { email: 'ada@example.com' });
    const start = t.clock.now();
    for (let i = 1; i <= 5; i += 1) {
      await forgot(t);
      await t.smtp.waitForMails(i);
      t.clock.advance(61 * SECOND);
    }
    const limited = await forgot(t);
    expect(limited.statusCode).toBe(200);
    expect(limited.body.message).toBe('You will receive a password reset link shortly.');
    t.clock.advance(10 * MINUTE);
    await forgot(t);
    expect(t.smtp.mails).toHaveLength(5);

    t.clock.set(start + 60 * MINUTE + SECOND);
    await forgot(t);
    await t.smtp.waitForMails(6);
  });

  it('takes its limits from RESET_ACCOUNT_COOLDOWN and RESET_ACCOUNT_HOURLY_LIMIT', async () => {
    t = await startTestService({ RESET_ACCOUNT_COOLDOWN: '0', RESET_ACCOUNT_HOURLY_LIMIT: '2' });
    await registerUser(t, { email: 'ada@example.com' });
    await forgot(t);
    await forgot(t);
    await t.smtp.waitForMails(2);
    await forgot(t);
    expect(t.smtp.mails).toHaveLength(2);
  });

  it('counts each account on its own', async () => {
    t = await startTestService();
    await registerUser(t, { email: 'ada@example.com' });
    await registerUser(t, { email: 'bob@example.com' });
    await forgot(t, 'ada@example.com');
    await forgot(t, 'bob@example.com');
    const mails = await t.smtp.waitForMails(2);
    expect(mails.map((mail) => mail.envelopeTo[0]).sort()).toEqual([
      'ada@example.com',
      'bob@example.com',
    ]);
  });
});

interface Endpoint {
  name: string;
  variable: string;
  method: 'GET' | 'POST';
  url: string;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'forgot-password',
    variable: 'RATE_LIMIT_FORGOT_PASSWORD',
    method: 'POST',
    url: '/api/auth/forgot-password/',
  },
  {
    name: 'verify-reset-token (token guessing)',
    variable: 'RATE_LIMIT_VERIFY_RESET_TOKEN',
    method: 'POST',
    url: '/api/auth/verify-reset-token/',
  },
  {
    name: 'reset-password',
    variable: 'RATE_LIMIT_RESET_PASSWORD',
    method: 'POST',
    url: '/api/auth/reset-password/',
  },
  { name: 'login', variable: 'RATE_LIMIT_LOGIN', method: 'POST', url: '/api/auth/login/' },
  { name: 'register', variable: 'RATE_LIMIT_REGISTER', method: 'POST', url: '/api/auth/register/' },
  { name: 'me', variable: 'RATE_LIMIT_SESSION', method: 'GET', url: '/api/auth/me/' },
  { name: 'logout', variable: 'RATE_LIMIT_SESSION', method: 'POST', url: '/api/auth/logout/' },
];

function call(service: TestService, endpoint: Endpoint, ip: string, headers = {}) {
  return service.inject({
    method: endpoint.method,
    url: endpoint.url,
    remoteAddress: ip,
    headers,
    ...(endpoint.method === 'POST' ? { payload: { token: 'guess', email: 'x@example.com' } } : {}),
  });
}

describe('per client IP, at the edge', () => {
  for (const endpoint of ENDPOINTS) {
    it(`answers ${endpoint.name} with 429, the envelope and Retry-After past the limit`, async () => {
      t = await startTestService({ [endpoint.variable]: '3', RATE_LIMIT_WINDOW: '120' });
      for (let i = 0; i < 3; i += 1) {
        const allowed = await call(t, endpoint, '203.0.113.7');
        expect(allowed.statusCode).not.toBe(429);
      }
      const throttled = await call(t, endpoint, '203.0.113.7');
      expect(throttled.statusCode).toBe(429);
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(120);
      expect(throttled.json()).toEqual({
        status: false,
        status_code: 429,
        message: 'Request was throttled.',
        data: {
          errors: {
            non_field_errors: [
              `Request was throttled. Expected available in ${retryAfter} seconds.`,
            ],
          },
        },
      });
      // Another client is not affected, and the route without its final slash shares the count.
      expect((await call(t, endpoint, '198.51.100.1')).statusCode).not.toBe(429);
      const bare = { ...endpoint, url: endpoint.url.replace(/\/$/, '') };
      expect((await call(t, bare, '203.0.113.7')).statusCode).toBe(429);
    });
  }

  it('does not let a client dodge the limit with X-Forwarded-For unless TRUST_PROXY is on', async () => {
    const endpoint = ENDPOINTS[1] as Endpoint;
    t = await startTestService({ RATE_LIMIT_VERIFY_RESET_TOKEN: '2' });
    for (let i = 0; i < 2; i += 1) await call(t, endpoint, '203.0.113.7');
    const spoofed = await call(t, endpoint, '203.0.113.7', { 'x-forwarded-for': `10.0.0.${9}` });
    expect(spoofed.statusCode).toBe(429);
  });
});

describe('RATE_LIMIT_ENABLED=false', () => {
  it('turns every per-IP limit off', async () => {
    const limits = Object.fromEntries(ENDPOINTS.map((endpoint) => [endpoint.variable, '1']));
    t = await startTestService({ ...limits, RATE_LIMIT_ENABLED: 'false' });
    for (const endpoint of ENDPOINTS) {
      for (let i = 0; i < 4; i += 1) {
        const response = await call(t, endpoint, '203.0.113.7');
        expect(response.statusCode).not.toBe(429);
        expect(response.headers['x-ratelimit-limit']).toBeUndefined();
      }
    }
  });

  it('turns the per-account limits off', async () => {
    t = await startTestService({ RATE_LIMIT_ENABLED: 'false' });
    await registerUser(t, { email: 'ada@example.com' });
    for (let i = 1; i <= 7; i += 1) {
      await forgot(t);
      await t.smtp.waitForMails(i);
    }
    expect(t.smtp.mails).toHaveLength(7);
  });
});
