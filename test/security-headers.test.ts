import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';

let t: TestService;

beforeAll(async () => {
  t = await startTestService({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' });
});

afterAll(async () => {
  await t.close();
});

const EXPECTED = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
};

describe('security headers', () => {
  it('are on every API answer, success or failure', async () => {
    const ok = await t.post('/auth/forgot-password/', { email: 'someone@example.com' });
    const invalid = await t.post('/auth/verify-reset-token/', {});
    expect(ok.statusCode).toBe(200);
    expect(invalid.statusCode).toBe(400);
    for (const response of [ok, invalid]) expect(response.headers).toMatchObject(EXPECTED);
  });

  it('are on 404 answers and health checks too', async () => {
    const missing = await t.inject({ method: 'GET', url: '/api/nowhere/' });
    const health = await t.inject({ method: 'GET', url: '/healthz' });
    expect(missing.statusCode).toBe(404);
    expect(health.statusCode).toBe(200);
    expect(missing.headers).toMatchObject(EXPECTED);
    expect(health.headers).toMatchObject(EXPECTED);
    expect(health.headers['x-powered-by']).toBeUndefined();
  });
});
