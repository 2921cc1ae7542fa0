import { z } from 'zod';

/**
 * Environment → one typed Config. Every variable of the contract's table is here;
 * a bad value becomes a ConfigError whose message is one line naming the variable,
 * so `npm start` can print it and stop without a stack trace.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = (allowZero: boolean) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(allowZero ? 0 : 1, { error: `must be between ${allowZero ? 0 : 1} and 65535` })
    .max(65535, { error: `must be between ${allowZero ? 0 : 1} and 65535` });

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      error: 'must be true or false',
    }),
  )
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const databaseUrl = z
  .string()
  .trim()
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    error: 'must be sqlite:<path>, sqlite::memory: or postgres://…',
  });

const smtpUrl = z
  .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })
  .optional();

const mailbox = z
  .string()
  .trim()
  .refine((value) => !/[\r\n]/.test(value) && /@/.test(value), {
    error: 'must be an address such as "BikeShop <no-reply@example.com>"',
  });

const seconds = (min: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(min, { error: `must be at least ${min}` });

const count = z.coerce
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' });

/** A whole number from `min` to `max`, with the message for each way to miss it. */
function wholeNumber(min: number, max: number, errors: { notWhole: string; outOfRange: string }) {
  return z.coerce
    .number({ error: errors.notWhole })
    .int({ error: errors.notWhole })
    .min(min, { error: errors.outOfRange })
    .max(max, { error: errors.outOfRange });
}

/** Requests per client IP per RATE_LIMIT_WINDOW, each overridable as RATE_LIMIT_<ROUTE>. */
export const RATE_LIMIT_DEFAULTS = {
  forgotPassword: 20,
  verifyResetToken: 30,
  resetPassword: 20,
  login: 20,
  register: 10,
  session: 120,
  notMe: 20,
} as const;
export type RateLimitedRoute = keyof typeof RATE_LIMIT_DEFAULTS;

function rateLimitVariable(name: string): string {
  return `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const schema = z.object({
  PORT: port(true).default(8000),
  HOST: z.string().trim().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
  WEB_PORT: port(true).default(3000),
  PUBLIC_API_URL: httpUrl.optional(),
  DATABASE_URL: databaseUrl.default('sqlite:data/rekey.db'),
  SMTP_URL: smtpUrl,
  SMTP_TLS_CA_FILE: z.string().trim().optional(),
  MAIL_FROM: mailbox.default('BikeShop <no-reply@bikeshop.local>'),
  APP_NAME: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(60, { error: 'must be at most 60 characters' })
    .refine((value) => !/[\r\n]/.test(value), { error: 'must be one line' })
    .default('BikeShop'),
  FRONTEND_URL: httpUrl.default('http://localhost:3000'),
  RESET_TOKEN_TTL: seconds(60).default(3600),
  RATE_LIMIT_ENABLED: flag.default(true),
  REGISTRATION_ENABLED: flag.default(true),
  TRUST_PROXY: flag.default(false),
  CORS_ORIGINS: z.string().optional(),
  PASSWORD_MIN_LENGTH: wholeNumber(1, 128, {
    notWhole: 'must be a whole number',
    outOfRange: 'must be between 1 and 128',
  }).default(8),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  SESSION_TTL: seconds(60).default(14 * 24 * 3600),
  RESET_ACCOUNT_COOLDOWN: seconds(0).default(60),
  RESET_ACCOUNT_HOURLY_LIMIT: z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .default(5),
  MAIL_WORKER: flag.default(true),
  RATE_LIMIT_WINDOW: seconds(1).default(60),
  HOUSEKEEPING_INTERVAL: seconds(0).default(600),
  OUTBOX_RETENTION_DAYS: count.default(7),
  THREAD_POOL_NICE: wholeNumber(0, 19, {
    notWhole: 'must be a whole number from 0 to 19',
    outOfRange: 'must be a whole number from 0 to 19',
  }).default(10),
  ...Object.fromEntries(
    Object.entries(RATE_LIMIT_DEFAULTS).map(([name, max]) => [
      rateLimitVariable(name),
      count.default(max),
    ]),
  ),
});

export interface Config {
  port: number;
  host: string;
  webPort: number;
  publicApiUrl: string;
  databaseUrl: string;
  smtpUrl: string | undefined;
  /** A PEM file of extra CAs to trust for the SMTP server's certificate (verification stays on). */
  smtpTlsCaFile: string | undefined;
  mailFrom: string;
  appName: string;
  frontendUrl: string;
  resetTokenTtlSeconds: number;
  rateLimitEnabled: boolean;
  registrationEnabled: boolean;
  trustProxy: boolean;
  corsOrigins: string[];
  passwordMinLength: number;
  logLevel: (typeof LOG_LEVELS)[number];
  sessionTtlSeconds: number;
  /** Per account, silently: at most one reset mail per cooldown… */
  resetAccountCooldownSeconds: number;
  /** …and at most this many in an hour. */
  resetAccountHourlyLimit: number;
  rateLimitWindowSeconds: number;
  rateLimits: Record<RateLimitedRoute, number>;
  /** Run the mail worker inside this process (`rekey worker` runs it alone). */
  mailWorker: boolean;
  /** How often the worker purges expired tokens, sessions and old rows; 0 turns it off. */
  housekeepingIntervalSeconds: number;
  outboxRetentionDays: number;
  /**
   * How many nice levels libuv's thread pool (argon2id) runs below the event loop, on
   * Linux; 0 leaves it at the process's own priority.
   */
  threadPoolNice: number;
}

/** Empty strings count as unset, as they do in most `.env` tooling. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

function parseOrigins(raw: string, variable: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      try {
        const url = new URL(item);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
        return url.origin;
      } catch {
        throw new ConfigError(`${variable}: "${item}" is not an http(s) origin`);
      }
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'configuration');
    throw new ConfigError(`${variable}: ${issue?.message ?? 'is invalid'}`);
  }
  const v = parsed.data;
  const corsOrigins = v.CORS_ORIGINS
    ? parseOrigins(v.CORS_ORIGINS, 'CORS_ORIGINS')
    : [new URL(v.FRONTEND_URL).origin];
  return {
    port: v.PORT,
    host: v.HOST,
    webPort: v.WEB_PORT,
    publicApiUrl: v.PUBLIC_API_URL ?? `http://localhost:${v.PORT}/api`,
    databaseUrl: v.DATABASE_URL,
    smtpUrl: v.SMTP_URL,
    smtpTlsCaFile: v.SMTP_TLS_CA_FILE,
    mailFrom: v.MAIL_FROM,
    appName: v.APP_NAME,
    frontendUrl: v.FRONTEND_URL,
    resetTokenTtlSeconds: v.RESET_TOKEN_TTL,
    rateLimitEnabled: v.RATE_LIMIT_ENABLED,
    registrationEnabled: v.REGISTRATION_ENABLED,
    trustProxy: v.TRUST_PROXY,
    corsOrigins,
    passwordMinLength: v.PASSWORD_MIN_LENGTH,
    logLevel: v.LOG_LEVEL,
    sessionTtlSeconds: v.SESSION_TTL,
    resetAccountCooldownSeconds: v.RESET_ACCOUNT_COOLDOWN,
    resetAccountHourlyLimit: v.RESET_ACCOUNT_HOURLY_LIMIT,
    mailWorker: v.MAIL_WORKER,
    rateLimitWindowSeconds: v.RATE_LIMIT_WINDOW,
    housekeepingIntervalSeconds: v.HOUSEKEEPING_INTERVAL,
    outboxRetentionDays: v.OUTBOX_RETENTION_DAYS,
    threadPoolNice: v.THREAD_POOL_NICE,
    rateLimits: Object.fromEntries(
      Object.keys(RATE_LIMIT_DEFAULTS).map((name) => [
        name,
        (v as Record<string, unknown>)[rateLimitVariable(name)] as number,
      ]),
    ) as Record<RateLimitedRoute, number>,
  };
}

/** For process entry points: the configuration, or one line on stderr and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`rekey: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
}
