import { afterEach, beforeEach, expect, it } from 'vitest';
import { incrementRateLimit } from '../src/db/rate-limits.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { startTestService, type TestService } from './support/service.ts';

describeEachDatabase('per-IP rate limits kept in the database', (target) => {
  let t: TestService;
  let database: TestDatabase;
  beforeEach(async () => {
    database = await target.create();
    t = await startTestService(
      { RATE_LIMIT_FORGOT_PASSWORD: '2', RATE_LIMIT_WINDOW: '60' },
      { databaseUrl: database.url },
    );
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  it('answers 429 with Retry-After past the limit, per route, until the window ends', async () => {
    const ask = () => t.post('/auth/forgot-password/', { email: 'someone@example.com' });
    expect((await ask()).statusCode).toBe(200);
    expect((await ask()).statusCode).toBe(200);
    const limited = await ask();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(60);

    const otherRoute = await t.post('/auth/verify-reset-token/', { token: 'x'.repeat(43) });
    expect(otherRoute.statusCode).toBe(400);

    t.clock.advance(30_000);
    expect(Number((await ask()).headers['retry-after'])).toBe(30);
    t.clock.advance(30_000);
    expect((await ask()).statusCode).toBe(200);
  });

  it('counts every one of many concurrent hits exactly once', async () => {
    const { db } = t.service.database;
    const now = t.clock.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => incrementRateLimit(db, 'concurrent', now, 60_000)),
    );
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(new Set(results.map((r) => r.expiresAt))).toEqual(new Set([now + 60_000]));
  });
});
