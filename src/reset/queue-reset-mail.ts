import type { Kysely } from 'kysely';
import { displayName } from '../accounts/display-name.ts';
import type { Database, User } from '../db/schema.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { createPasswordResetToken } from './reset-tokens.ts';

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
  const { token, expiresAt } = await createPasswordResetToken(db, user.id, now, ttlSeconds);
  await enqueueMail(db, {
    kind: 'password_reset',
    recipient: user.email,
    payload: { token, name: displayName(user), expiresAt },
    now,
    expiresAt,
  });
}
