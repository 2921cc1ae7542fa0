import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

export interface RateLimitCount {
  count: number;
  expiresAt: number;
}

/**
 * Counts one hit for `key` and returns the window's count so far, in one statement:
 * a new or expired window starts at 1, a live one goes up by 1. INSERT … ON CONFLICT …
 * DO UPDATE … RETURNING is atomic on SQLite and PostgreSQL alike, so concurrent hits
 * from several processes are each counted once and never lost.
 */
export async function incrementRateLimit(
  db: Executor,
  key: string,
  now: number,
  windowMs: number,
): Promise<RateLimitCount> {
  const expired = sql<boolean>`${sql.ref('rate_limits.expires_at')} <= ${now}`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, count: 1, expires_at: now + windowMs })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when ${expired} then 1 else ${sql.ref('rate_limits.count')} + 1 end`,
        expires_at: sql<number>`case when ${expired} then ${sql.ref('excluded.expires_at')} else ${sql.ref('rate_limits.expires_at')} end`,
      }),
    )
    .returning(['count', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), expiresAt: Number(row.expires_at) };
}

/** The window's count without counting a hit; 0 when there is no live window. */
export async function readRateLimit(
  db: Executor,
  key: string,
  now: number,
): Promise<RateLimitCount | undefined> {
  const row = await db
    .selectFrom('rate_limits')
    .select(['count', 'expires_at'])
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && { count: Number(row.count), expiresAt: Number(row.expires_at) };
}

/** Expired windows are dead weight; any process may sweep them. */
export async function deleteExpiredRateLimits(db: Executor, now: number): Promise<number> {
  const result = await db
    .deleteFrom('rate_limits')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
