import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createArgon2idHasher } from '../../src/accounts/password-hashing.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createService, type Service, type ServiceOptions } from '../../src/service.ts';
import { createTestClock, type TestClock } from './clock.ts';
import { createPostgresDatabase } from './postgres.ts';
import { type SmtpSink, startSmtpSink } from './smtp.ts';

export interface TestService {
  service: Service;
  config: Config;
  clock: TestClock;
  smtp: SmtpSink;
  /** Every log line the service wrote, as text (for "no secret in the logs"). */
  logs: string[];
  inject: Service['api']['inject'];
  /** POST JSON to /api<path> and return status, headers and the parsed envelope. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  get(path: string, headers?: Record<string, string>): Promise<ApiResponse>;
  /** One worker pass: pending requests → tokens and mails → the SMTP server. */
  drainMail(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: {
    status: boolean;
    status_code: number;
    message: string;
    data: Record<string, unknown> & { errors?: Record<string, string[]> };
  };
  raw: string;
}

/** Cheap argon2id parameters for tests: the same code path, a fraction of the cost. */
export const testHasher = createArgon2idHasher({ memory: 1024, passes: 1, parallelism: 1 });

/**
 * A service on its own SQLite file in a temp directory, a fixed clock, a real SMTP server
 * on port 0, and the worker driven by the test (drainMail) instead of a timer.
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: ServiceOptions & { databaseUrl?: string } = {},
): Promise<TestService> {
  const directory = mkdtempSync(join(tmpdir(), 'rekey-test-'));
  // `npm test` runs the integration files a second time with REKEY_TEST_DATABASE=postgres
  // (vitest.postgres.config.ts): every service then gets a fresh PostgreSQL database.
  const postgres =
    options.databaseUrl === undefined && process.env.REKEY_TEST_DATABASE === 'postgres'
      ? await createPostgresDatabase()
      : undefined;
  const smtp = await startSmtpSink();
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl ?? postgres?.url ?? `sqlite:${join(directory, 'rekey.db')}`,
    SMTP_URL: smtp.url,
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const clock = options.clock ? (options.clock as TestClock) : createTestClock();
  const service = await createService(config, {
    logger: createLogger(config.logLevel, sink),
    clock,
    hasher: testHasher,
    ...options,
  });
  const api = service.api;
  const toResponse = (response: Awaited<ReturnType<typeof api.inject>>): ApiResponse => ({
    statusCode: response.statusCode,
    headers: response.headers,
    body: response.json(),
    raw: response.body,
  });
  return {
    service,
    config,
    clock,
    smtp,
    logs,
    inject: api.inject.bind(api),
    post: async (path, body, headers = {}) =>
      toResponse(
        await api.inject({ method: 'POST', url: `/api${path}`, payload: body as object, headers }),
      ),
    get: async (path, headers = {}) =>
      toResponse(await api.inject({ method: 'GET', url: `/api${path}`, headers })),
    async drainMail() {
      await service.worker.runOnce();
    },
    async close() {
      await service.close();
      await smtp.close();
      await postgres?.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export const DEFAULT_PASSWORD = 'correct horse battery';

export async function registerUser(
  t: TestService,
  user: { email: string; password?: string; first_name?: string; last_name?: string },
) {
  const response = await t.post('/auth/register/', { password: DEFAULT_PASSWORD, ...user });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.raw}`);
  return response.body.data.user as { id: string; email: string };
}

/** Asks for a reset link and returns the token from the mail that arrives. */
export async function requestResetToken(t: TestService, email: string): Promise<string> {
  const before = t.smtp.mails.length;
  const response = await t.post('/auth/forgot-password/', { email });
  if (response.statusCode !== 200) throw new Error(`forgot-password failed: ${response.raw}`);
  await t.drainMail();
  const mails = await t.smtp.waitForMails(before + 1);
  const mail = mails.at(-1);
  if (!mail) throw new Error('no mail');
  const match = /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '');
  if (!match?.[1]) throw new Error('no reset link in the mail');
  return match[1];
}
