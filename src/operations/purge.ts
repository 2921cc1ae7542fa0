import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Executor = Kysely<Database>;

const DAY_MS = 24 * 3600 * 1000;

export interface PurgeOptions {
  /** Sent and failed outbox rows older than this many days go. */
  outboxRetentionDays?: number;
}

export interface PurgeResult {
  resetTokens: number;
  notMeTokens: number;
  sessions: number;
  resetRequests: number;
  outbox: number;
}

/**
 * Deletes what no longer does anything. Tokens are kept for a day past their expiry so a
 * late click still reads "expired" rather than "invalid", and so the per-account hourly
 * limit, which counts recent tokens, never loses its evidence. Audit events are kept.
 * Run by the worker on a schedule and by `rekey purge`.
 */
export async function purgeExpired(
  db: Executor,
  now: number,
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const outboxCutoff = now - (options.outboxRetentionDays ?? 7) * DAY_MS;
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  return {
    resetTokens: count(
      await db
        .deleteFrom('password_reset_tokens')
        .where('expires_at', '<=', now - DAY_MS)
        .executeTakeFirst(),
    ),
    notMeTokens: count(
      await db
        .deleteFrom('not_me_tokens')
        .where('expires_at', '<=', now - DAY_MS)
        .executeTakeFirst(),
    ),
    sessions: count(
      await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst(),
    ),
    resetRequests: count(
      await db
        .deleteFrom('reset_requests')
        .where('processed_at', 'is not', null)
        .where('processed_at', '<=', now - DAY_MS)
        .executeTakeFirst(),
    ),
    outbox: count(
      await db
        .deleteFrom('outbox')
        .where('status', 'in', ['sent', 'failed'])
        .where('created_at', '<=', outboxCutoff)
        .executeTakeFirst(),
    ),
  };
}
