import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertUser } from '../../src/accounts/users.ts';
import type { Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import type { Database, OutboxMessage } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logger.ts';
import { enqueueMails } from '../../src/mail/outbox.ts';
import { createMetrics } from '../../src/observability/metrics.ts';

/** Active accounts user0@example.com … user<count-1>@example.com, straight into the table. */
export async function insertActiveAccounts(
  db: Kysely<Database>,
  count: number,
  now: number,
): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `user${i}@example.com`);
  for (const email of emails) {
    await insertUser(db, {
      id: randomUUID(),
      email,
      email_key: email,
      password_hash: 'unused',
      first_name: '',
      last_name: '',
      is_active: 1,
      created_at: now,
      updated_at: now,
    });
  }
  return emails;
}

/** One password-changed mail queued for each address, due now, expiring in an hour. */
export async function enqueuePasswordChangedMails(
  db: Kysely<Database>,
  recipients: readonly string[],
  now: number,
): Promise<void> {
  await enqueueMails(
    db,
    recipients.map((recipient) => ({
      kind: 'password_changed' as const,
      recipient,
      payload: { name: '', changedAt: now },
      now,
      expiresAt: now + 3_600_000,
    })),
  );
}

/** An outbox row as the worker claims it: a mail of `kind` to Ada with this payload. */
export function outboxRow(kind: string, payload: unknown): OutboxMessage {
  return {
    id: 1,
    kind,
    recipient: 'ada@example.com',
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 1,
    next_attempt_at: 0,
    locked_until: null,
    expires_at: 0,
    last_error: null,
    created_at: 0,
    sent_at: null,
  };
}

/** What `processResetRequests` needs, on `db`: silent logs, fresh metrics, the default config unless given. */
export function requestProcessingDeps(
  db: Pick<Db, 'db' | 'dialect'>,
  clock: Clock,
  config = loadConfig({}),
) {
  return {
    db: db.db,
    dialect: db.dialect,
    clock,
    config,
    logger: createLogger('silent'),
    metrics: createMetrics(),
  };
}
