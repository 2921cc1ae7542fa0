#!/usr/bin/env node
import 'dotenv/config';
import { Command, InvalidArgumentError } from 'commander';
import { parseEmail } from './accounts/email.ts';
import { registerUser } from './accounts/register.ts';
import { listAuditEvents } from './audit/audit-log.ts';
import { systemClock } from './clock.ts';
import { type Config, loadConfigOrExit } from './config.ts';
import { createDatabase, type Db } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { describeDuration } from './mail/compose.ts';
import { summariseOutbox } from './mail/outbox.ts';
import { issueResetLink } from './operations/issue-reset-link.ts';
import { retryFailedMail } from './operations/outbox.ts';
import { purgeExpired } from './operations/purge.ts';
import { sendTestMail } from './operations/test-mail.ts';
import { listUserRows, setAccountActive } from './operations/users.ts';
import { createService, createTransport } from './service.ts';

/** Operator commands. Each reads the same configuration as the server. */
const program = new Command('rekey')
  .description('Rekey: password reset over email')
  .showHelpAfterError();

const config = () => loadConfigOrExit();

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const email = (value: string) => {
  const parsed = parseEmail(value);
  if (!parsed) throw new InvalidArgumentError('Enter a valid email address.');
  return parsed;
};

program
  .command('migrate')
  .description('apply every pending database migration')
  .action(async () => {
    const database = createDatabase(config().databaseUrl);
    try {
      const applied = await migrateToLatest(database.db);
      process.stdout.write(
        applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n',
      );
    } finally {
      await database.close();
    }
  });

program
  .command('create-user')
  .description('create an account (the password is read from standard input with --password-stdin)')
  .requiredOption('--email <email>', 'the address', email)
  .option(
    '--password <password>',
    'the password (visible in the process list; prefer --password-stdin)',
  )
  .option('--password-stdin', 'read the password from standard input')
  .option('--first-name <name>', 'first name', '')
  .option('--last-name <name>', 'last name', '')
  .action(
    async (options: {
      email: string;
      password?: string;
      passwordStdin?: boolean;
      firstName: string;
      lastName: string;
    }) => {
      const password = options.passwordStdin ? await readStdin() : options.password;
      if (!password) {
        process.stderr.write('rekey: give --password or --password-stdin\n');
        process.exitCode = 2;
        return;
      }
      const service = await createService({ ...config(), mailWorker: false });
      try {
        const result = await registerUser(service.deps, {
          email: options.email,
          password,
          firstName: options.firstName,
          lastName: options.lastName,
        });
        if (!result.ok) {
          for (const [field, messages] of Object.entries(result.errors)) {
            for (const message of messages) process.stderr.write(`${field}: ${message}\n`);
          }
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`created ${result.user.email} (${result.user.id})\n`);
      } finally {
        await service.close();
      }
    },
  );

program
  .command('worker')
  .description('run the mail worker alone (API processes then run with MAIL_WORKER=false)')
  .action(async () => {
    const service = await createService(config());
    service.worker.start();
    service.deps.logger.info('mail worker running');
    const stop = async () => {
      await service.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
  });

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const fail = (line: string, code = 1): void => {
  process.stderr.write(`rekey: ${line}\n`);
  process.exitCode = code;
};

/** The operations below need the database only: no API, no worker, no hasher. */
async function withDatabase(
  run: (context: { db: Db['db']; config: Config; clock: typeof systemClock }) => Promise<void>,
) {
  const settings = config();
  const database = createDatabase(settings.databaseUrl);
  try {
    await migrateToLatest(database.db);
    await run({ db: database.db, config: settings, clock: systemClock });
  } finally {
    await database.close();
  }
}

const wholeNumber = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new InvalidArgumentError('must be a whole number');
  return number;
};

program
  .command('list-users')
  .description('list the accounts: id, email, name, state (active, inactive, locked)')
  .option('--json', 'one JSON array instead of a table')
  .action(async (options: { json?: boolean }) => {
    await withDatabase(async (deps) => {
      const rows = await listUserRows(deps);
      if (options.json) return out(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return out('no users');
      for (const row of rows)
        out([row.id, row.email, row.state, row.createdAt, row.name].join('\t').trimEnd());
    });
  });

for (const [name, active] of [
  ['deactivate-user', false],
  ['activate-user', true],
] as const) {
  program
    .command(`${name} <email>`)
    .description(
      active
        ? 'let an account sign in and reset its password again'
        : 'stop an account: no sign-in, no reset mail, every session signed out',
    )
    .action(async (address: string) => {
      await withDatabase(async (deps) => {
        const result = await setAccountActive(deps, address, active);
        if (!result.ok) return fail(`no user with the email ${address}`);
        const state = active ? 'active' : 'inactive';
        out(result.changed ? `${address} is now ${state}` : `${address} was already ${state}`);
      });
    });
}

program
  .command('reset-link <email>')
  .description('issue a reset link for an account and print it (not mailed): for a support desk')
  .action(async (address: string) => {
    await withDatabase(async (deps) => {
      const result = await issueResetLink(deps, address);
      if (!result.ok)
        return fail(
          result.reason === 'not_found'
            ? `no user with the email ${address}`
            : `${address} is deactivated; activate it first`,
        );
      out(result.link);
      out(
        `expires ${new Date(result.expiresAt).toISOString()} (in ${describeDuration(deps.config.resetTokenTtlSeconds)}); works once; older links of this account no longer work`,
      );
    });
  });

program
  .command('purge')
  .description(
    'delete expired tokens and sessions, processed reset requests older than a day, and sent/failed mails older than --outbox-days',
  )
  .option('--outbox-days <days>', 'keep sent and failed mails this many days', wholeNumber)
  .action(async (options: { outboxDays?: number }) => {
    await withDatabase(async (deps) => {
      const purged = await purgeExpired(deps.db, deps.clock.now(), {
        outboxRetentionDays: options.outboxDays ?? deps.config.outboxRetentionDays,
      });
      for (const [what, count] of Object.entries(purged)) out(`${what}: ${count} deleted`);
    });
  });

const outbox = program.command('outbox').description('the mail outbox');
outbox
  .command('status', { isDefault: true })
  .description('counts by status, the oldest pending mail, the latest errors')
  .option('--json', 'as JSON')
  .action(async (options: { json?: boolean }) => {
    await withDatabase(async (deps) => {
      const summary = await summariseOutbox(deps.db, deps.clock.now());
      if (options.json) return out(JSON.stringify(summary, null, 2));
      const { pending, sent, failed } = summary.counts;
      out(`pending: ${pending}  sent: ${sent}  failed: ${failed}`);
      out(
        summary.oldestPendingAgeMs === null
          ? 'oldest pending: none'
          : `oldest pending: ${Math.round(summary.oldestPendingAgeMs / 1000)} s`,
      );
      for (const error of summary.lastErrors)
        out(`#${error.id} ${error.kind} ${error.status} after ${error.attempts}: ${error.error}`);
    });
  });
outbox
  .command('retry')
  .description('queue every failed mail again (reset mails get a fresh link)')
  .action(async () => {
    await withDatabase(async (deps) => {
      const result = await retryFailedMail(deps);
      out(`queued again: ${result.retried}; skipped (account gone or inactive): ${result.skipped}`);
    });
  });

program
  .command('test-mail')
  .description('send a test email through the configured transport (SMTP_URL, or the console)')
  .requiredOption('--to <email>', 'the recipient', email)
  .action(async (options: { to: string }) => {
    const settings = config();
    const transport = createTransport(settings);
    try {
      await sendTestMail(settings, transport, options.to, Date.now());
      out(`sent to ${options.to}`);
    } finally {
      transport.close();
    }
  });

program
  .command('audit')
  .description('the latest security events (newest first)')
  .option('--limit <n>', 'how many', wholeNumber, 50)
  .action(async (options: { limit: number }) => {
    await withDatabase(async (deps) => {
      for (const event of await listAuditEvents(deps.db, options.limit)) {
        out(
          [
            new Date(event.created_at).toISOString(),
            event.event_type,
            event.user_id ?? '-',
            event.client_ip ?? '-',
            event.details ?? '',
          ].join('\t'),
        );
      }
    });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`rekey: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
