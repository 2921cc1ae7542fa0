import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';
import { waitFor } from './support/wait.ts';

let t: TestService;

beforeAll(async () => {
  t = await startTestService({ RATE_LIMIT_ENABLED: 'false' });
});

afterAll(async () => {
  await t.close();
});

describe('access log', () => {
  it('writes one line per request with method, path, status and time, and no query string', async () => {
    const before = t.logs.length;
    await t.inject({
      method: 'POST',
      url: '/api/auth/verify-reset-token/?token=secret-in-query',
      payload: { token: 'not-a-token' },
    });
    const lines = await waitFor(() => {
      const written = t.logs.slice(before).map((line) => JSON.parse(line));
      return written.length > 0 && written;
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'POST', path: '/api/auth/verify-reset-token/' },
      res: { statusCode: 400 },
      responseTime: expect.any(Number),
    });
    expect(lines[0].reqId).toEqual(expect.any(String));
    expect(JSON.stringify(lines)).not.toContain('secret-in-query');
  });
});
