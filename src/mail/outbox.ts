import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Database, OutboxMessage } from '../db/schema.ts';

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
}

export interface MailPayloads {
  password_reset: PasswordResetPayload;
  password_changed: PasswordChangedPayload;
}

/** Recorded in the caller's transaction: the mail exists exactly when the change does. */
export async function enqueueMail<K extends MailKind>(
  db: Executor,
  mail: { kind: K; recipient: string; payload: MailPayloads[K]; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('outbox')
    .values({
      kind: mail.kind,
      recipient: mail.recipient,
      payload: JSON.stringify(mail.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: mail.now,
      locked_until: null,
      expires_at: mail.expiresAt,
      last_error: null,
      created_at: mail.now,
      sent_at: null,
    })
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

export async function markMailFailed(db: Executor, id: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'failed', locked_until: null, last_error: error.slice(0, 500), payload: '{}' })
    .where('id', '=', id)
    .execute();
}
