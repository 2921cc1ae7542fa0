import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Database, OutboxMessage, OutboxStatus } from '../db/schema.ts';

type Executor = Kysely<Database>;

export type MailKind = 'password_reset' | 'password_changed';

export interface PasswordResetPayload {
  token: string;
  name: string;
  expiresAt: number;
}

export interface PasswordChangedPayload {
  name: string;
  changedAt: number;
  /** The single-use "this wasn't me" token; like a reset token, gone once the mail is sent. */
  notMeToken?: string;
}

export interface MailPayloads {
  password_reset: PasswordResetPayload;
  password_changed: PasswordChangedPayload;
}

type NewMail<K extends MailKind> = {
  kind: K;
  recipient: string;
  payload: MailPayloads[K];
  now: number;
  expiresAt: number;
};

/** Recorded in the caller's transaction: the mail exists exactly when the change does. */
export async function enqueueMail<K extends MailKind>(
  db: Executor,
  mail: NewMail<K>,
): Promise<void> {
  await enqueueMails(db, [mail]);
}

/** Several mails with one insert, in the caller's transaction. */
export async function enqueueMails<K extends MailKind>(
  db: Executor,
  mails: readonly NewMail<K>[],
): Promise<void> {
  if (mails.length === 0) return;
  await db
    .insertInto('outbox')
    .values(
      mails.map((mail) => ({
        kind: mail.kind,
        recipient: mail.recipient,
        payload: JSON.stringify(mail.payload),
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: mail.now,
        locked_until: null,
        expires_at: mail.expiresAt,
        last_error: null,
        created_at: mail.now,
        sent_at: null,
      })),
    )
    .execute();
}

/**
 * Leases up to `limit` due messages to this worker until `now + leaseMs`. A worker that
 * dies mid-send loses its lease and the message is picked up again. On PostgreSQL the
 * rows are claimed with FOR UPDATE SKIP LOCKED so concurrent workers never share one.
 */
export async function claimDueMail(
  db: Executor,
  dialect: Dialect,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<OutboxMessage[]> {
  return db.transaction().execute(async (trx) => {
    let due = trx
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit);
    if (dialect === 'postgres') due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    return trx
      .updateTable('outbox')
      .set({ locked_until: now + leaseMs, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
}

/**
 * Gives back, in one statement, claimed messages the worker did not try to send (its lease
 * ran short): due again at once, and the attempt claimDueMail counted is returned, since
 * none was made. Only rows still under this lease (`leasedUntil`) change: one another worker
 * has taken over, or sent, is left as it is.
 */
export async function releaseClaimedMail(
  db: Executor,
  ids: readonly number[],
  leasedUntil: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('outbox')
    .set({ locked_until: null, attempts: sql<number>`attempts - 1` })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .where('locked_until', '=', leasedUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Sent: the row keeps its history, but a reset token no longer lives in it. */
export async function markMailSent(db: Executor, id: number, now: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now, locked_until: null, last_error: null, payload: '{}' })
    .where('id', '=', id)
    .execute();
}

export async function scheduleMailRetry(
  db: Executor,
  id: number,
  nextAttemptAt: number,
  error: string,
) {
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: nextAttemptAt, locked_until: null, last_error: error.slice(0, 500) })
    .where('id', '=', id)
    .execute();
}

/** The payload keys that hold secrets: dropped once a mail is sent or given up on. */
const SECRET_PAYLOAD_KEYS = ['token', 'notMeToken'];

export function withoutSecrets(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    for (const key of SECRET_PAYLOAD_KEYS) delete parsed[key];
    return JSON.stringify(parsed);
  } catch {
    return '{}';
  }
}

/** Failed for good: the tokens go, the rest stays so `rekey outbox retry` can rebuild the mail. */
export async function markMailFailed(db: Executor, id: number, error: string): Promise<void> {
  const row = await db
    .selectFrom('outbox')
    .select('payload')
    .where('id', '=', id)
    .executeTakeFirst();
  await db
    .updateTable('outbox')
    .set({
      status: 'failed',
      locked_until: null,
      last_error: error.slice(0, 500),
      payload: withoutSecrets(row?.payload ?? '{}'),
    })
    .where('id', '=', id)
    .execute();
}

export interface OutboxSummary {
  counts: Record<OutboxStatus, number>;
  /** Milliseconds since the oldest pending message was queued; null when none is pending. */
  oldestPendingAgeMs: number | null;
  lastErrors: { id: number; kind: string; status: OutboxStatus; attempts: number; error: string }[];
}

/** Counts by status, the oldest pending message's age, and the latest errors (never payloads). */
export async function summariseOutbox(db: Executor, now: number, errorLimit = 5) {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('status')
    .execute();
  const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  const oldest = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min<number | null>('created_at').as('created_at'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const oldestCreatedAt = oldest?.created_at == null ? null : Number(oldest.created_at);
  const errors =
    errorLimit === 0
      ? []
      : await db
          .selectFrom('outbox')
          .select(['id', 'kind', 'status', 'attempts', 'last_error'])
          .where('last_error', 'is not', null)
          .where('status', '!=', 'sent')
          .orderBy('id', 'desc')
          .limit(errorLimit)
          .execute();
  const summary: OutboxSummary = {
    counts,
    oldestPendingAgeMs: oldestCreatedAt === null ? null : Math.max(0, now - oldestCreatedAt),
    lastErrors: errors.map((row) => ({
      id: row.id,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
      error: row.last_error ?? '',
    })),
  };
  return summary;
}
