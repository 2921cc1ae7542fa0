import type { Kysely } from 'kysely';
import { displayName } from '../accounts/display-name.ts';
import type { Database, User } from '../db/schema.ts';
import { enqueueMails } from '../mail/outbox.ts';
import { createPasswordResetTokens } from './reset-tokens.ts';

/**
 * A new reset link for the account, mailed to its stored address: the token (revoking the
 * older ones) and its outbox row, in the caller's transaction, so neither exists alone.
 */
export async function queuePasswordResetMail(
  db: Kysely<Database>,
  user: User,
  now: number,
  ttlSeconds: number,
): Promise<void> {
  await queuePasswordResetMails(db, [user], now, ttlSeconds);
}

/**
 * The same for several accounts at once (a worker's batch), with one statement per table
 * however many there are: the batch's transaction then stays short, and so does the time
 * it holds the event loop on SQLite, whose calls do not yield.
 */
export async function queuePasswordResetMails(
  db: Kysely<Database>,
  users: readonly User[],
  now: number,
  ttlSeconds: number,
): Promise<void> {
  const issued = await createPasswordResetTokens(
    db,
    users.map((user) => user.id),
    now,
    ttlSeconds,
  );
  await enqueueMails(
    db,
    users.map((user, index) => {
      const { token, expiresAt } = issued[index] as (typeof issued)[number];
      return {
        kind: 'password_reset' as const,
        recipient: user.email,
        payload: { token, name: displayName(user), expiresAt },
        now,
        expiresAt,
      };
    }),
  );
}
