import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createArgon2idHasher, type PasswordHasher } from './accounts/password-hashing.ts';
import { type AppOptions, buildApp } from './app.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { createDatabase, type Db } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Deps } from './deps.ts';
import { createLogger } from './logger.ts';
import { summariseOutbox } from './mail/outbox.ts';
import {
  createConsoleTransport,
  createSmtpTransport,
  type MailTransport,
} from './mail/transport.ts';
import { createMailWorker, type MailWorker, type MailWorkerOptions } from './mail/worker.ts';
import {
  type EventLoopMonitor,
  eventLoopDelayGauges,
  startEventLoopMonitor,
} from './observability/event-loop.ts';
import { createMetrics, type MetricsModule } from './observability/metrics.ts';
import { passwordHashGauges } from './observability/password-hashes.ts';

export interface ServiceOptions {
  logger?: Logger;
  clock?: Clock;
  hasher?: PasswordHasher;
  transport?: MailTransport;
  workerOptions?: MailWorkerOptions;
  appOptions?: AppOptions;
  /** Extra collectors for /metrics, beside the built-in ones and the event-loop gauges. */
  metricsModules?: MetricsModule[];
}

export interface Service {
  deps: Deps;
  database: Db;
  worker: MailWorker;
  transport: MailTransport;
  api: FastifyInstance;
  /** How long the event loop has stalled (also `rekey_event_loop_delay_*` on /metrics). */
  eventLoop: EventLoopMonitor;
  /** Stops taking requests, lets the worker finish the mail in flight, closes the database. */
  close(): Promise<void>;
}

export function createTransport(config: Config): MailTransport {
  if (!config.smtpUrl) return createConsoleTransport();
  return createSmtpTransport(config.smtpUrl, { caFile: config.smtpTlsCaFile });
}

/** config → database (migrated) → deps → API + mail worker. Nothing listens yet. */
export async function createService(
  config: Config,
  options: ServiceOptions = {},
): Promise<Service> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = createDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  const transport = options.transport ?? createTransport(config);
  let worker: MailWorker | undefined;
  const clock = options.clock ?? systemClock;
  const eventLoop = startEventLoopMonitor();
  const hasher = options.hasher ?? createArgon2idHasher();
  const metrics = createMetrics({
    outboxStats: async () => {
      const summary = await summariseOutbox(database.db, clock.now(), 0);
      return {
        pending: summary.counts.pending,
        oldestPendingAgeSeconds: (summary.oldestPendingAgeMs ?? 0) / 1000,
      };
    },
    modules: [
      eventLoopDelayGauges(eventLoop),
      passwordHashGauges(hasher),
      ...(options.metricsModules ?? []),
    ],
  });
  const deps: Deps = {
    db: database.db,
    dialect: database.dialect,
    clock,
    hasher,
    config,
    logger,
    metrics,
    // After the reply is written: the request path never waits for account-dependent work.
    notifyMailWork: () => setImmediate(() => worker?.wake()),
  };
  worker = createMailWorker(deps, transport, options.workerOptions);
  const api = await buildApp(deps, options.appOptions);
  const mailWorker = worker;
  return {
    deps,
    database,
    worker: mailWorker,
    transport,
    api,
    eventLoop,
    async close() {
      await api.close();
      await mailWorker.stop();
      transport.close();
      await database.close();
      eventLoop.stop();
    },
  };
}
