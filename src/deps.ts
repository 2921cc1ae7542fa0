import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { PasswordHasher } from './accounts/password-hashing.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Dialect } from './db/database.ts';
import type { Database } from './db/schema.ts';
import type { Metrics } from './observability/metrics.ts';

/** What the domain needs from the outside world, passed in so tests can pick each one. */
export interface Deps {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  hasher: PasswordHasher;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Tells the mail worker in this process there is work; other processes poll. */
  notifyMailWork: () => void;
}
