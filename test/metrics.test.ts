import { afterEach, describe, expect, it } from 'vitest';
import {
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
  testHasher,
} from './support/service.ts';
import { waitFor } from './support/wait.ts';

const services: TestService[] = [];
async function start(env: Record<string, string> = {}) {
  const t = await startTestService(env);
  services.push(t);
  return t;
}
afterEach(async () => {
  for (const t of services.splice(0)) await t.close();
});

async function scrape(t: TestService): Promise<string> {
  const response = await t.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

/** The value of one sample line, e.g. `rekey_emails_sent_total{kind="password_reset"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('speaks the Prometheus text format outside the envelope and outside /api', async () => {
    const t = await start();
    const text = await scrape(t);
    expect(text).toContain('# TYPE rekey_http_request_duration_seconds histogram');
    expect(() => JSON.parse(text)).toThrow();
    expect((await t.inject({ method: 'GET', url: '/api/metrics' })).statusCode).toBe(404);
  });

  it("exports the event loop's longest stall as a gauge", async () => {
    const t = await start();
    // The histogram misses a stall before its first tick, so stall again on every poll.
    const stall = await waitFor(
      async () => {
        const blockedUntil = Date.now() + 80;
        while (Date.now() < blockedUntil) {
          // A deliberate 80 ms stall of the event loop.
        }
        await new Promise((resolve) => setImmediate(resolve));
        const value = sample(await scrape(t), 'rekey_event_loop_delay_max_seconds');
        return value !== undefined && value >= 0.05 && value;
      },
      { what: 'the stall to show in rekey_event_loop_delay_max_seconds' },
    );
    expect(stall).toBeLessThan(60);
    expect(sample(await scrape(t), 'rekey_event_loop_delay_p99_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('exports how many argon2id derivations run and wait', async () => {
    const busy = { ...testHasher, load: () => ({ running: 2, waiting: 5 }) };
    const t = await startTestService({}, { hasher: busy });
    services.push(t);
    const text = await scrape(t);
    expect(sample(text, 'rekey_password_hashes_running')).toBe(2);
    expect(sample(text, 'rekey_password_hashes_waiting')).toBe(5);
  });

  it('counts the reset flow and its mails', async () => {
    const t = await start();
    await registerUser(t, { email: 'user@example.com' });
    const token = await requestResetToken(t, 'user@example.com');
    await t.post('/auth/forgot-password/', { email: 'nobody@example.com' });
    await t.post('/auth/verify-reset-token/', { token });
    await t.post('/auth/verify-reset-token/', { token: 'unknown' });
    await t.post('/auth/reset-password/', {
      token,
      new_password: 'fresh password 9',
      confirm_password: 'fresh password 9',
    });
    const text = await scrape(t);
    expect(sample(text, 'rekey_resets_requested_total')).toBe(2);
    expect(sample(text, 'rekey_resets_verified_total{outcome="valid"}')).toBe(1);
    expect(sample(text, 'rekey_resets_verified_total{outcome="invalid"}')).toBe(1);
    expect(sample(text, 'rekey_resets_completed_total')).toBe(1);
    expect(sample(text, 'rekey_emails_queued_total{kind="password_reset"}')).toBe(1);
    expect(sample(text, 'rekey_emails_queued_total{kind="password_changed"}')).toBe(1);
    expect(sample(text, 'rekey_emails_sent_total{kind="password_reset"}')).toBe(1);
    expect(sample(text, 'rekey_outbox_depth')).toBe(1);
  });

  it('labels latency by route pattern, never by the URL a client sent', async () => {
    const t = await start();
    await t.post('/auth/verify-reset-token', { token: 'x' });
    await t.inject({ method: 'GET', url: '/reset-password?token=SECRET-IN-URL' });
    const text = await scrape(t);
    expect(text).toContain(
      'rekey_http_request_duration_seconds_count{method="POST",route="/api/auth/verify-reset-token/",status_code="400"} 1',
    );
    expect(text).toContain('route="unmatched",status_code="404"');
    expect(text).not.toContain('SECRET-IN-URL');
  });

  it('reports the outbox depth and the age of its oldest pending mail at scrape time', async () => {
    const t = await start();
    await registerUser(t, { email: 'user@example.com' });
    await t.post('/auth/forgot-password/', { email: 'user@example.com' });
    t.smtp.setAvailable(false);
    await t.drainMail();
    t.clock.advance(90_000);
    const text = await scrape(t);
    expect(sample(text, 'rekey_outbox_depth')).toBe(1);
    expect(sample(text, 'rekey_outbox_oldest_pending_age_seconds')).toBe(90);
  });

  it('counts mails given up on and rate-limit hits', async () => {
    const t = await start({ RATE_LIMIT_VERIFY_RESET_TOKEN: '2', RESET_TOKEN_TTL: '60' });
    for (let i = 0; i < 3; i += 1) await t.post('/auth/verify-reset-token/', { token: 'x' });
    await registerUser(t, { email: 'user@example.com' });
    await t.post('/auth/forgot-password/', { email: 'user@example.com' });
    t.smtp.setAvailable(false);
    await t.drainMail();
    t.clock.advance(120_000);
    await t.drainMail();
    const text = await scrape(t);
    expect(sample(text, 'rekey_rate_limit_hits_total{route="/api/auth/verify-reset-token/"}')).toBe(
      1,
    );
    expect(sample(text, 'rekey_emails_failed_total{kind="password_reset"}')).toBe(1);
  });

  it('keeps one registry per app, so two apps in one process count apart', async () => {
    const first = await start();
    const second = await start();
    await first.post('/auth/forgot-password/', { email: 'a@example.com' });
    expect(sample(await scrape(first), 'rekey_resets_requested_total')).toBe(1);
    expect(sample(await scrape(second), 'rekey_resets_requested_total')).toBe(0);
  });
});
