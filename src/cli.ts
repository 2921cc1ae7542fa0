#!/usr/bin/env node
import 'dotenv/config';
import { Command, InvalidArgumentError } from 'commander';
import { parseEmail } from './accounts/email.ts';
import { registerUser } from './accounts/register.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createService } from './service.ts';

/** Operator commands. Each reads the same configuration as the server. */
const program = new Command('rekey')
  .description('Rekey: password reset over email')
  .showHelpAfterError();

function config() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rekey: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

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

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`rekey: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
